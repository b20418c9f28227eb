import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';

/**
 * What only AWS would refuse, found in the synthesized templates before anything deploys: CloudFormation's template
 * size and counts per stack (nested stacks included), IAM's policy sizes per role and per managed policy, Step
 * Functions' definition size, and every state machine definition validated by an independent ASL validator
 * (`asl-validator`), so a definition only the lenient local interpreter accepts fails here.
 *
 * Intrinsics (`Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`) are resolved to placeholders as long as the values they
 * stand for can be (a bucket name 63 characters, an ARN with a 64-character name), so sizes are upper estimates.
 */

/** A deployment limit, as AWS documents it. */
export interface Limit {
  readonly name: string;
  readonly max: number;
  readonly unit: string;
  /** What the service answers when the limit is crossed (`{figure}`, `{resource}` filled in). */
  readonly refusal: string;
}

/** CloudFormation quotas (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html). */
export const LIMITS = {
  templateBytes: {
    name: 'CloudFormation template body (in S3)',
    max: 1_000_000,
    unit: 'bytes',
    refusal: 'Template may not exceed 1000000 bytes in size.',
  },
  resources: {
    name: 'CloudFormation resources per stack',
    max: 500,
    unit: 'resources',
    refusal: 'Template format error: Number of resources, {figure}, is greater than maximum allowed, 500',
  },
  outputs: {
    name: 'CloudFormation outputs per stack',
    max: 200,
    unit: 'outputs',
    refusal: 'Template format error: Number of outputs, {figure}, is greater than maximum allowed, 200',
  },
  parameters: {
    name: 'CloudFormation parameters per stack',
    max: 200,
    unit: 'parameters',
    refusal: 'Template format error: Number of parameters, {figure}, is greater than maximum allowed, 200',
  },
  mappings: {
    name: 'CloudFormation mappings per stack',
    max: 200,
    unit: 'mappings',
    refusal: 'Template format error: Number of mappings, {figure}, is greater than maximum allowed, 200',
  },
  // IAM quotas (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html); whitespace not counted.
  roleInlinePolicies: {
    name: 'IAM inline policies of one role (aggregate)',
    max: 10_240,
    unit: 'characters',
    refusal: 'Maximum policy size of 10240 bytes exceeded for role {resource}',
  },
  managedPolicy: {
    name: 'IAM managed policy document',
    max: 6_144,
    unit: 'characters',
    refusal: 'Cannot exceed quota for PolicySize: 6144',
  },
  trustPolicy: {
    name: 'IAM role trust policy',
    max: 2_048,
    unit: 'characters',
    refusal: 'Cannot exceed quota for ACLSizePerRole: 2048',
  },
  // Step Functions quotas (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html).
  stateMachineDefinition: {
    name: 'Step Functions state machine definition',
    max: 1_048_576,
    unit: 'bytes',
    refusal: 'InvalidDefinition: the definition is larger than 1 MiB',
  },
} as const satisfies Record<string, Limit>;

/** The share of a limit a stack may reach before synthesis warns: dap's headroom target. */
export const WARN_SHARE = 0.6;

export interface LimitFinding {
  /** The stack (or nested stack template) and, when it is about one resource, its logical id. */
  readonly stack: string;
  readonly resource?: string;
  readonly limit: Limit;
  readonly figure: number;
  /** `error` over the limit (AWS refuses it), `warning` over WARN_SHARE of it. */
  readonly level: 'error' | 'warning';
}

/** An ASL validator's complaint about one state machine definition. */
export interface AslFinding {
  readonly stack: string;
  readonly resource: string;
  readonly message: string;
}

export interface LimitReport {
  readonly findings: readonly LimitFinding[];
  readonly asl: readonly AslFinding[];
  /** Per template: its measured figures, for `npm run bench` and the README. */
  readonly measured: readonly TemplateMeasure[];
}

export interface TemplateMeasure {
  readonly stack: string;
  readonly templateBytes: number;
  readonly resources: number;
  readonly largestRolePolicies: number;
  readonly largestDefinition: number;
}

type Template = {
  readonly Resources?: Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown> }>;
  readonly Outputs?: Record<string, unknown>;
  readonly Parameters?: Record<string, unknown>;
  readonly Mappings?: Record<string, unknown>;
};

/** The parts of a synthesized cloud assembly (`app.synth()`) the checks read. */
export interface SynthesizedAssembly {
  readonly directory: string;
  readonly stacks: readonly { readonly templateFile: string }[];
}

/** Checks every template of a cloud assembly: the stacks' and their nested stacks' (`*.nested.template.json`). */
export function checkAssemblyLimits(assembly: SynthesizedAssembly): LimitReport {
  const findings: LimitFinding[] = [];
  const asl: AslFinding[] = [];
  const measured: TemplateMeasure[] = [];
  // Each stack's own nested stacks, as its asset manifest lists them (cdk.out keeps files of other environments
  // and of removed nested stacks, which this deploy does not send).
  const files = assembly.stacks.flatMap((stack) => [stack.templateFile, ...nestedTemplates(assembly.directory, stack)]);
  for (const file of files) {
    const path = join(assembly.directory, file);
    const report = checkTemplate(basename(file).replace(/\.template\.json$/, ''), path);
    findings.push(...report.findings);
    asl.push(...report.asl);
    measured.push(...report.measured);
  }
  return { findings, asl, measured };
}

/** The nested stack templates a stack deploys: the `*.nested.template.json` files of its asset manifest. */
function nestedTemplates(directory: string, stack: { readonly templateFile: string }): string[] {
  const manifest = join(directory, stack.templateFile.replace(/\.template\.json$/, '.assets.json'));
  if (!existsSync(manifest)) return [];
  const assets = JSON.parse(readFileSync(manifest, 'utf8')) as {
    files?: Record<string, { source?: { path?: string } }>;
  };
  return Object.values(assets.files ?? {})
    .map((asset) => asset.source?.path)
    .filter((path): path is string => path?.endsWith('.nested.template.json') === true)
    .sort();
}

/** One template file: its size and counts, its roles' policies, its state machines. */
export function checkTemplate(stack: string, path: string): LimitReport {
  const template = JSON.parse(readFileSync(path, 'utf8')) as Template;
  const findings: LimitFinding[] = [];
  const measure = (limit: Limit, figure: number, resource?: string) => {
    const level = figure > limit.max ? 'error' : figure > limit.max * WARN_SHARE ? 'warning' : undefined;
    if (level !== undefined) findings.push({ stack, ...(resource ? { resource } : {}), limit, figure, level });
  };
  const resources = template.Resources ?? {};
  const templateBytes = statSync(path).size;
  measure(LIMITS.templateBytes, templateBytes);
  measure(LIMITS.resources, Object.keys(resources).length);
  measure(LIMITS.outputs, Object.keys(template.Outputs ?? {}).length);
  measure(LIMITS.parameters, Object.keys(template.Parameters ?? {}).length);
  measure(LIMITS.mappings, Object.keys(template.Mappings ?? {}).length);

  // A role's inline policies: its own `Policies` and every AWS::IAM::Policy naming it.
  const rolePolicies = new Map<string, number>();
  const addToRole = (role: string, characters: number) =>
    rolePolicies.set(role, (rolePolicies.get(role) ?? 0) + characters);
  const asl: AslFinding[] = [];
  let largestDefinition = 0;
  for (const [id, resource] of Object.entries(resources)) {
    const properties = resource.Properties ?? {};
    if (resource.Type === 'AWS::IAM::Role') {
      measure(LIMITS.trustPolicy, policyCharacters(properties.AssumeRolePolicyDocument, stack), id);
      for (const policy of (properties.Policies as { PolicyDocument?: unknown }[] | undefined) ?? []) {
        addToRole(id, policyCharacters(policy.PolicyDocument, stack));
      }
    }
    if (resource.Type === 'AWS::IAM::Policy') {
      for (const role of (properties.Roles as unknown[] | undefined) ?? []) {
        const roleId = (role as { Ref?: string }).Ref ?? JSON.stringify(role);
        addToRole(roleId, policyCharacters(properties.PolicyDocument, stack));
      }
    }
    if (resource.Type === 'AWS::IAM::ManagedPolicy') {
      measure(LIMITS.managedPolicy, policyCharacters(properties.PolicyDocument, stack), id);
    }
    if (resource.Type === 'AWS::StepFunctions::StateMachine') {
      // A definition kept in S3 (DefinitionS3Location) is not in the template to measure.
      if (properties.DefinitionString === undefined && properties.Definition === undefined) continue;
      const text =
        properties.DefinitionString !== undefined
          ? String(resolve(properties.DefinitionString, stack))
          : JSON.stringify(resolve(properties.Definition, stack));
      const bytes = Buffer.byteLength(text);
      largestDefinition = Math.max(largestDefinition, bytes);
      measure(LIMITS.stateMachineDefinition, bytes, id);
      asl.push(...validateAsl(text).map((message) => ({ stack, resource: id, message })));
    }
  }
  for (const [role, characters] of rolePolicies) measure(LIMITS.roleInlinePolicies, characters, role);
  const measured: TemplateMeasure = {
    stack,
    templateBytes,
    resources: Object.keys(resources).length,
    largestRolePolicies: Math.max(0, ...rolePolicies.values()),
    largestDefinition,
  };
  return { findings, asl, measured: [measured] };
}

/** One line per finding: the stack, the resource, the limit, the figure and the share of the limit. */
export function describeFinding(finding: LimitFinding): string {
  const share = Math.round((finding.figure / finding.limit.max) * 100);
  const where = finding.resource === undefined ? finding.stack : `${finding.stack} ${finding.resource}`;
  const refusal = finding.limit.refusal
    .replace('{figure}', String(finding.figure))
    .replace('{resource}', finding.resource ?? finding.stack);
  const verdict =
    finding.level === 'error'
      ? `over the limit; AWS would answer "${refusal}"`
      : `over ${WARN_SHARE * 100}% of the limit: split it before it grows`;
  return `${where}: ${finding.limit.name} is ${finding.figure.toLocaleString('en')} of ${finding.limit.max.toLocaleString('en')} ${finding.limit.unit} (${share}%), ${verdict}`;
}

type AslError = {
  readonly 'Error code'?: string;
  readonly Message?: string;
  readonly message?: string;
  readonly instancePath?: string;
};
type AslValidator = (
  definition: unknown,
  options?: { checkPaths?: boolean; checkArn?: boolean },
) => { isValid: boolean; errors: readonly AslError[] };

let validator: AslValidator | undefined;

/** The ASL validator's errors for a definition (its text), each as one line; none when it is valid. */
export function validateAsl(definition: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(definition);
  } catch (error) {
    return [`the definition is not JSON: ${error instanceof Error ? error.message : String(error)}`];
  }
  validator ??= createRequire(import.meta.url)('asl-validator') as AslValidator;
  const { isValid, errors } = validator(parsed, { checkPaths: true, checkArn: true });
  if (isValid) return [];
  // Its own checks give a code and a message; its JSON Schema errors a path and a message.
  return errors.map((e) =>
    [e['Error code'], e.instancePath || undefined, e.Message ?? e.message ?? JSON.stringify(e)]
      .filter((part) => part !== undefined)
      .join(': '),
  );
}

/** Characters of a policy document as IAM counts them: minified JSON, whitespace outside strings not counted. */
function policyCharacters(document: unknown, stack: string): number {
  if (document === undefined) return 0;
  return JSON.stringify(resolve(document, stack)).length;
}

const PSEUDO: Readonly<Record<string, string>> = {
  'AWS::Partition': 'aws-us-gov',
  'AWS::Region': 'ap-southeast-2',
  'AWS::AccountId': '123456789012',
  'AWS::URLSuffix': 'amazonaws.com.cn',
  'AWS::NoValue': '',
};
const NAME = 'n'.repeat(63);
const ARN = `arn:aws-us-gov:lambda:ap-southeast-2:123456789012:function:${'n'.repeat(64)}`;

/** Intrinsics resolved to placeholders at least as long as what they resolve to in AWS. */
function resolve(value: unknown, stack: string): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(v, stack));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  const [key, argument] = entries[0] ?? [];
  if (entries.length === 1 && key !== undefined) {
    if (key === 'Ref') return PSEUDO[String(argument)] ?? (argument === 'AWS::StackName' ? stack : NAME);
    if (key === 'Fn::GetAtt') return ARN;
    if (key === 'Fn::ImportValue') return ARN;
    if (key === 'Fn::Join' && Array.isArray(argument) && Array.isArray(argument[1])) {
      const [separator, parts] = argument as [string, unknown[]];
      return (resolve(parts, stack) as unknown[]).map(String).join(String(separator));
    }
    if (key === 'Fn::Sub') {
      const text = Array.isArray(argument) ? String(argument[0]) : String(argument);
      return text.replace(/\$\{([^}!][^}]*)\}/g, (_, name: string) =>
        name.endsWith('.Arn') ? ARN : (PSEUDO[name] ?? NAME),
      );
    }
    if (key === 'Fn::Select') {
      const [index, list] = argument as [number, unknown];
      const resolved = resolve(list, stack);
      return Array.isArray(resolved) ? resolved[Number(index)] : NAME;
    }
    if (key === 'Fn::Split') return [NAME];
    if (key === 'Fn::If') return resolve((argument as unknown[])[1], stack);
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolve(v, stack)]));
}
