import type { BenchCase } from '../lib/types.ts';

/**
 * Every case, in the order they run and appear in BENCHMARKS.md, loaded on demand: a child process imports only
 * the case it measures, so its peak RSS carries no other case's modules.
 */
export const CASE_NAMES = [
  'cli',
  'end-to-end',
  'incremental',
  'file-ingestion',
  'database-extract',
  'hostile-files',
  'spectrum-copy',
  'scd2-merge',
  'aws-cost',
  'large-project',
] as const;

export async function loadCase(name: string): Promise<BenchCase | undefined> {
  switch (name) {
    case 'cli':
      return (await import('./cli.ts')).cli;
    case 'end-to-end':
      return (await import('./end-to-end.ts')).endToEnd;
    case 'incremental':
      return (await import('./incremental.ts')).incremental;
    case 'file-ingestion':
      return (await import('./file-ingestion.ts')).fileIngestion;
    case 'database-extract':
      return (await import('./database-extract.ts')).databaseExtract;
    case 'hostile-files':
      return (await import('./hostile-files.ts')).hostileFiles;
    case 'spectrum-copy':
      return (await import('./spectrum-copy.ts')).spectrumCopy;
    case 'scd2-merge':
      return (await import('./scd2-merge.ts')).scd2Merge;
    case 'aws-cost':
      return (await import('./aws-cost.ts')).awsCost;
    case 'large-project':
      return (await import('./large-project.ts')).largeProject;
    default:
      return undefined;
  }
}

export async function loadCases(): Promise<BenchCase[]> {
  const cases = await Promise.all(CASE_NAMES.map((name) => loadCase(name)));
  return cases.filter((c): c is BenchCase => c !== undefined);
}
