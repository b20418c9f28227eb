import { resolve } from 'node:path';
import { buildDocsModel } from '../../docs/model.ts';
import { renderSite } from '../../docs/render-site.ts';
import { serveSite } from '../../docs/serve.ts';
import { writeSite } from '../../docs/write-site.ts';
import { resolveLocal } from '../context.ts';
import { localRunReports } from '../run-history.ts';

export interface DocsOptions {
  readonly env: string;
  readonly dataDir?: string;
  readonly out: string;
  readonly serve?: boolean;
  readonly port: string;
}

/**
 * `dap docs`: the catalog as a static site in `--out` (default `site/`), from the project and the run reports of
 * the local data folder; `--serve` then serves it on localhost until interrupted. Opens no engine.
 */
export async function docs(root: string, options: DocsOptions): Promise<number> {
  const context = resolveLocal({ root, ...options, project: 'read' });
  const reports = await localRunReports(context.store, context.names);
  const model = buildDocsModel({ project: context.project, environment: context.environment.name, reports });
  const out = resolve(root, options.out);
  const pages = renderSite(model);
  await writeSite(out, pages);
  console.log(
    `dap docs: ${pages.size} pages, ${model.lineage.edges.length} lineage edges, ${reports.length} run report(s) in ${out}/index.html`,
  );
  if (!options.serve) return 0;
  const { url } = await serveSite(out, Number(options.port));
  console.log(`serving the catalog at ${url} (Ctrl-C stops)`);
  await new Promise<never>(() => {});
  return 0;
}
