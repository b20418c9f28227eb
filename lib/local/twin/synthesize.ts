import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { resourceNames } from '../../core/model/names.ts';
import type { Project } from '../../core/model/project.ts';
import type { EnvironmentConfig } from '../../core/model/schemas.ts';
import { DapStack } from '../../infra/dap-stack.ts';

/** A CloudFormation template as CDK writes it. */
export interface CfnTemplate {
  readonly Resources: Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown> }>;
}

/**
 * The environment's stack, synthesized in-process exactly as `cdk synth` builds it, cdk-nag included (a finding
 * throws, as it stops `cdk synth`), minus Lambda bundling (the twin calls the handlers' TypeScript directly, so
 * bundles would never be used).
 */
export function synthesizeTemplate(project: Project, environment: EnvironmentConfig): CfnTemplate {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new DapStack(app, resourceNames(environment).prefix, { environment, project });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const assembly = app.synth();
  return assembly.getStackByName(stack.stackName).template as CfnTemplate;
}
