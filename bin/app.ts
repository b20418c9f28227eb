import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadCheckedProject } from '../lib/check/check.ts';
import { ConfigError } from '../lib/core/model/problems.ts';
import { addDapStacks } from '../lib/infra/dap-app.ts';

// The CDK app: one stack per config/environments/<env>.json; `-c env=<name>` limits it to one.
// The CLI runs it from the folder holding cdk.json, which is the project root.
const app = new App();
const only: unknown = app.node.tryGetContext('env');
try {
  // The same checks as `dap check`, so a config that check rejects never deploys.
  const project = loadCheckedProject(process.cwd());
  addDapStacks(app, project, { only: typeof only === 'string' ? only : undefined });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`dap: cannot synthesize, fix the config first.\n${error.message}`);
  process.exit(1);
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
