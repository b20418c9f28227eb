import type { EnvironmentConfig } from '../../core/model/schemas.ts';
import type { CfnTemplate } from './synthesize.ts';

export class TwinDefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TwinDefinitionError';
  }
}

/** A state of an Amazon States Language definition, as far as the twin needs to look into it. */
export interface AslState {
  readonly Type: string;
  readonly Resource?: string;
  readonly Parameters?: Record<string, unknown>;
  readonly ItemProcessor?: AslMachine;
  readonly Iterator?: AslMachine;
  readonly Branches?: readonly AslMachine[];
}

export interface AslMachine {
  readonly StartAt: string;
  readonly States: Readonly<Record<string, AslState>>;
}

/** The account, region and names that CloudFormation would fill in, resolved the same way for every reference. */
export class TemplateResolver {
  constructor(
    private readonly template: CfnTemplate,
    private readonly environment: Pick<EnvironmentConfig, 'account' | 'region'>,
  ) {}

  /** The logical id behind a Lambda ARN that this resolver produced, or undefined for any other string. */
  static functionLogicalId(arn: string): string | undefined {
    return /^arn:aws:lambda:[^:]*:[^:]*:function:([A-Za-z0-9]+)$/.exec(arn)?.[1];
  }

  resource(logicalId: string): CfnTemplate['Resources'][string] {
    const resource = this.template.Resources[logicalId];
    if (!resource) throw new TwinDefinitionError(`the template has no resource "${logicalId}"`);
    return resource;
  }

  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value);
    const [first] = entries;
    if (entries.length === 1 && first) {
      const [fn, args] = first;
      if (fn === 'Ref') return this.ref(String(args));
      if (fn === 'Fn::GetAtt') return this.getAtt(args);
      if (fn === 'Fn::Join') {
        const [separator, parts] = args as [string, unknown[]];
        return parts.map((p) => String(this.resolve(p))).join(separator);
      }
      if (fn.startsWith('Fn::'))
        throw new TwinDefinitionError(`the twin cannot resolve ${fn} in the state machine definition`);
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, this.resolve(v)]));
  }

  private ref(name: string): string {
    const { account, region } = this.environment;
    switch (name) {
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::Region':
        return region;
      case 'AWS::AccountId':
        return account;
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
    }
    const resource = this.resource(name);
    const props = resource.Properties ?? {};
    switch (resource.Type) {
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:${region}:${account}:${String(props.TopicName ?? name)}`;
      case 'AWS::S3::Bucket':
        return String(props.BucketName ?? name);
      default:
        return name;
    }
  }

  private getAtt(args: unknown): string {
    const [logicalId, attribute] = args as [string, string];
    const resource = this.resource(logicalId);
    const { account, region } = this.environment;
    if (resource.Type === 'AWS::Lambda::Function' && attribute === 'Arn') {
      return `arn:aws:lambda:${region}:${account}:function:${logicalId}`;
    }
    if (resource.Type === 'AWS::S3::Bucket' && attribute === 'Arn') {
      return `arn:aws:s3:::${String(resource.Properties?.BucketName ?? logicalId)}`;
    }
    if (attribute === 'Arn') {
      const service = resource.Type.split('::')[1]?.toLowerCase() ?? 'unknown';
      return `arn:aws:${service}:${region}:${account}:${logicalId}`;
    }
    throw new TwinDefinitionError(`the twin cannot resolve ${attribute} of ${resource.Type} "${logicalId}"`);
  }
}

/** The definition of the state machine with this name, references resolved, parsed. */
export function stateMachineDefinition(template: CfnTemplate, resolver: TemplateResolver, name: string): AslMachine {
  const found = Object.entries(template.Resources).find(
    ([, r]) => r.Type === 'AWS::StepFunctions::StateMachine' && r.Properties?.StateMachineName === name,
  );
  if (!found) throw new TwinDefinitionError(`the synthesized stack has no state machine named "${name}"`);
  const definition = resolver.resolve(found[1].Properties?.DefinitionString);
  if (typeof definition !== 'string') throw new TwinDefinitionError(`state machine "${name}" has no DefinitionString`);
  return JSON.parse(definition) as AslMachine;
}

/** Every Task state, however deeply nested in Map and Parallel states, with its name. */
export function taskStates(machine: AslMachine): { name: string; state: AslState }[] {
  const found: { name: string; state: AslState }[] = [];
  for (const [name, state] of Object.entries(machine.States)) {
    if (state.Type === 'Task') found.push({ name, state });
    for (const nested of [state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])]) {
      if (nested) found.push(...taskStates(nested));
    }
  }
  return found;
}
