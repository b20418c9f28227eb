import type { EnvironmentConfig } from '../../lib/core/model/schemas.ts';
import { type AslMachine, TemplateResolver, taskStates } from '../../lib/local/twin/definition.ts';
import type { CfnTemplate } from '../../lib/local/twin/synthesize.ts';

export interface LambdaSize {
  readonly logicalId: string;
  readonly memoryMb: number;
  readonly architecture: 'arm64' | 'x86_64';
}

/**
 * For each Task state that invokes a Lambda function of the stack, that function's memory size and architecture as
 * the synthesized template declares them (Lambda's defaults, 128 MB and x86_64, where it declares none).
 */
export function lambdaSizesByState(
  machine: AslMachine,
  template: CfnTemplate,
  environment: Pick<EnvironmentConfig, 'account' | 'region'>,
): Map<string, LambdaSize> {
  const resolver = new TemplateResolver(template, environment);
  const sizes = new Map<string, LambdaSize>();
  for (const { name, state } of taskStates(machine)) {
    const arn =
      state.Resource === 'arn:aws:states:::lambda:invoke'
        ? String(state.Parameters?.FunctionName ?? '')
        : (state.Resource ?? '');
    const logicalId = TemplateResolver.functionLogicalId(arn);
    if (logicalId === undefined) continue;
    const properties = resolver.resource(logicalId).Properties ?? {};
    const architectures = properties.Architectures as readonly string[] | undefined;
    sizes.set(name, {
      logicalId,
      memoryMb: Number(properties.MemorySize ?? 128),
      architecture: architectures?.[0] === 'arm64' ? 'arm64' : 'x86_64',
    });
  }
  return sizes;
}
