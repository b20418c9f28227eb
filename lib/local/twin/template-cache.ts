import type { Project } from '../../core/model/project.ts';
import type { EnvironmentConfig } from '../../core/model/schemas.ts';
import { projectVersion, readCached, writeCached } from '../content-cache.ts';
import type { CfnTemplate } from './synthesize.ts';

export interface CachedTemplate {
  readonly template: CfnTemplate;
  /** Whether it came from the cache (false: synthesized by this call, and stored). */
  readonly cached: boolean;
}

/**
 * The twin's synthesized template (one that passed cdk-nag), from the content cache when nothing that shapes it
 * changed (the project, the environment, the code): an unchanged project opens the twin without loading the CDK.
 */
export async function cachedTemplate(
  project: Project,
  environment: EnvironmentConfig,
  options: { readonly cacheDir?: string } = {},
): Promise<CachedTemplate> {
  const name = `template-${environment.name}-${projectVersion(project.root)}.json`;
  const text = readCached(name, options.cacheDir);
  if (text !== undefined) return { template: JSON.parse(text) as CfnTemplate, cached: true };
  const { synthesizeTemplate } = await import('./synthesize.ts');
  const template = synthesizeTemplate(project, environment);
  writeCached(name, JSON.stringify(template), options.cacheDir);
  return { template, cached: false };
}
