import type { App } from 'aws-cdk-lib';
import { resourceNames } from '../core/model/names.ts';
import { ConfigError } from '../core/model/problems.ts';
import { environment, PATHS, type Project } from '../core/model/project.ts';
import { DapStack } from './dap-stack.ts';

export interface DapStacksOptions {
  /**
   * Synthesize only this environment (`cdk synth -c env=dev`).
   * @default every environment under config/environments
   */
  readonly only?: string;
}

/**
 * One `DapStack` per environment file, each with id and name `<prefix>` (e.g. `dev-dap`). Throws a `ConfigError`
 * when `only` names no valid environment or an environment's names cannot be deployed.
 */
export function addDapStacks(app: App, project: Project, options: DapStacksOptions = {}): DapStack[] {
  const environments =
    options.only === undefined ? [...project.environments.values()] : [environment(project, options.only)];
  if (environments.length === 0) {
    throw new ConfigError([{ file: PATHS.environments, message: 'no environment files (<name>.json) to deploy' }]);
  }
  return environments.map((env) => new DapStack(app, resourceNames(env).prefix, { environment: env, project }));
}
