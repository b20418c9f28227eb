import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { App, type Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnBucket, IBucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadProject } from '../../lib/config/loader.ts';
import { PATHS, type Project } from '../../lib/core/model/project.ts';
import { type EnvironmentConfig, environmentSchema } from '../../lib/core/model/schemas.ts';
import { DapStack } from '../../lib/infra/dap-stack.ts';

const tempDirs: string[] = [];
process.on('exit', () => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh folder under the OS temp dir, removed when the test process exits. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export const DEV_ACCOUNT = '111111111111';
export const PROD_ACCOUNT = '333333333333';

/** An environment as its file would hold it, parsed (defaults filled in) by the real schema. */
export function environmentConfig(fields: Record<string, unknown> = {}): EnvironmentConfig {
  return environmentSchema.parse({ name: 'dev', account: DEV_ACCOUNT, region: 'eu-west-2', ...fields });
}

/** A development environment that allows DESTROY and sets every retention, so each can be told apart. */
export const devEnvironment = (): EnvironmentConfig =>
  environmentConfig({
    removal_policy: 'destroy',
    retention_days: {
      landing: 7,
      raw: 31,
      archive: 32,
      quarantine: 14,
      process_results: 33,
      athena_results: 3,
      access_logs: 34,
    },
  });

/** A production environment on the defaults: RETAIN, raw kept forever. */
export const prodEnvironment = (): EnvironmentConfig =>
  environmentConfig({ name: 'prod', account: PROD_ACCOUNT, alerts: { emails: ['alerts@example.com'] } });

/**
 * A project folder with the given environment files (written as given, so they may be invalid) and empty family
 * lists: the smallest project `loadProject` accepts. Independent of the repo's own config, which others edit.
 */
export function projectFolder(environmentFiles: Record<string, unknown>): string {
  const root = tempDir('dap-infra-');
  const write = (file: string, data: unknown) => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), `${JSON.stringify(data, null, 2)}\n`);
  };
  for (const [name, data] of Object.entries(environmentFiles)) write(`${PATHS.environments}/${name}.json`, data);
  write(PATHS.productFamilies, []);
  write(PATHS.reportingFamilies, []);
  return root;
}

export function projectWith(...environments: EnvironmentConfig[]): Project {
  return loadProject(projectFolder(Object.fromEntries(environments.map((env) => [env.name, env]))));
}

/**
 * Skips esbuild bundling of the Lambdas: tests look at the template, not at bundles (`npm run synth` in CI still
 * bundles every function for real).
 */
export const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] } as const;

export function testApp(props: { outdir?: string } = {}): App {
  return new App({ ...props, context: { ...NO_BUNDLING } });
}

export function dapStack(env: EnvironmentConfig, app = testApp()): DapStack {
  return new DapStack(app, `${env.name}-dap`, { environment: env, project: projectWith(env) });
}

export function templateOf(env: EnvironmentConfig): { stack: DapStack; template: Template } {
  const stack = dapStack(env);
  return { stack, template: Template.fromStack(stack) };
}

export function logicalIdOf(bucket: IBucket): string {
  const stack = bucket.stack as Stack;
  return stack.getLogicalId(bucket.node.defaultChild as CfnBucket);
}

export interface NagReport {
  /** Findings not acknowledged, as `rule at construct path`. */
  readonly findings: readonly string[];
  /** Acknowledged findings with the reason given in code. */
  readonly acknowledged: readonly { readonly rule: string; readonly reason: string }[];
}

interface ValidationReportJson {
  pluginReports: {
    pluginName: string;
    violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[];
    suppressedViolations?: { ruleName: string; reason?: string }[];
  }[];
}

/**
 * Synthesizes the app with cdk-nag's AWS Solutions pack as `bin/app.ts` does, and returns what the validation
 * report says. Findings make `app.synth()` throw; the report is read either way.
 */
export function nagReport(build: (app: App) => void): NagReport {
  const outdir = tempDir('dap-nag-');
  const app = testApp({ outdir });
  build(app);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  try {
    app.synth();
  } catch (error) {
    if (!(error instanceof Error && error.message.startsWith('Validation failed'))) throw error;
  }
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as ValidationReportJson;
  return {
    findings: report.pluginReports.flatMap((plugin) =>
      plugin.violations.flatMap((violation) =>
        violation.violatingConstructs.map((construct) => `${violation.ruleName} at ${construct.constructPath}`),
      ),
    ),
    acknowledged: report.pluginReports.flatMap((plugin) =>
      (plugin.suppressedViolations ?? []).map((violation) => ({
        rule: violation.ruleName,
        reason: violation.reason ?? '',
      })),
    ),
  };
}
