import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadCheckedProject } from '../lib/check/check.ts';
import { ConfigError } from '../lib/core/model/problems.ts';
import { addDapStacks } from '../lib/infra/dap-app.ts';
import { checkAssemblyLimits, describeFinding } from '../lib/infra/deploy-limits.ts';

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
const assembly = app.synth();
// What AWS would refuse at deploy time, refused here: template sizes and counts, IAM policy sizes, ASL definitions.
let limits: ReturnType<typeof checkAssemblyLimits>;
try {
  limits = checkAssemblyLimits(assembly);
} catch (error) {
  console.error(`dap: cannot check the synthesized templates against AWS's limits: ${(error as Error).message}`);
  process.exit(1);
}
for (const finding of limits.findings.filter((f) => f.level === 'warning')) {
  console.error(`dap: warning: ${describeFinding(finding)}`);
}
const refused = [
  ...limits.findings.filter((f) => f.level === 'error').map(describeFinding),
  ...limits.asl.map((f) => `${f.stack} ${f.resource}: the state machine definition is not valid ASL: ${f.message}`),
];
if (refused.length > 0) {
  console.error(
    `dap: cannot deploy, AWS would refuse ${refused.length} thing(s):\n${refused.map((l) => `  - ${l}`).join('\n')}`,
  );
  process.exit(1);
}
