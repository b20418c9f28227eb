import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadCheckedProject } from '../../lib/check/check.ts';
import { largeProjectFiles } from '../../lib/core/samples/large-project.ts';
import { CATALOG_TABLE_STACKS, hashedTableGroups, sourcePrefixes } from '../../lib/infra/catalog.ts';
import { addDapStacks } from '../../lib/infra/dap-app.ts';
import {
  checkAssemblyLimits,
  checkTemplate,
  describeFinding,
  LIMITS,
  type LimitReport,
  validateAsl,
  WARN_SHARE,
} from '../../lib/infra/deploy-limits.ts';
import { writeFiles } from '../helpers/project-fixture.ts';
import { tempDir, testApp } from './fixtures.ts';

/**
 * What only AWS would refuse, refused at synthesis: each limit crossed by a template made to cross it, with the
 * answer AWS gives; and a project of 500 events over 50 families synthesizing into stacks within 60% of every limit.
 */

const folder = tempDir('dap-limits-');
after(() => rmSync(folder, { recursive: true, force: true }));

function templateFile(name: string, template: unknown): string {
  const path = join(folder, `${name}.template.json`);
  writeFileSync(path, JSON.stringify(template, undefined, 1));
  return path;
}

function errorsOf(report: LimitReport): string[] {
  return report.findings.filter((f) => f.level === 'error').map(describeFinding);
}

const bucket = (i: number) => [`Bucket${i}`, { Type: 'AWS::S3::Bucket', Properties: {} }] as const;
const statement = (resource: string) => ({ Effect: 'Allow', Action: 's3:GetObject', Resource: resource });
const role = { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [] } } };

describe('limits crossed give the answer AWS would', () => {
  test('template body over 1,000,000 bytes', () => {
    const big = {
      Resources: { Topic: { Type: 'AWS::SNS::Topic', Properties: { DisplayName: 'x'.repeat(1_000_001) } } },
    };
    const path = templateFile('big', big);
    const size = readFileSync(path).length;
    assert.deepEqual(errorsOf(checkTemplate('big', path)), [
      `big: CloudFormation template body (in S3) is ${size.toLocaleString('en')} of 1,000,000 bytes (100%), over the limit; AWS would answer "Template may not exceed 1000000 bytes in size."`,
    ]);
  });

  test('501 resources, 201 outputs, 201 parameters', () => {
    const many = {
      Resources: Object.fromEntries(Array.from({ length: 501 }, (_, i) => bucket(i))),
      Outputs: Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`O${i}`, { Value: 'v' }])),
      Parameters: Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`P${i}`, { Type: 'String' }])),
    };
    const errors = errorsOf(checkTemplate('many', templateFile('many', many)));
    assert.deepEqual(
      errors.map((e) => e.replace(/ is .* over the limit;/, ' … over the limit;')),
      [
        'many: CloudFormation resources per stack … over the limit; AWS would answer "Template format error: Number of resources, 501, is greater than maximum allowed, 500"',
        'many: CloudFormation outputs per stack … over the limit; AWS would answer "Template format error: Number of outputs, 201, is greater than maximum allowed, 200"',
        'many: CloudFormation parameters per stack … over the limit; AWS would answer "Template format error: Number of parameters, 201, is greater than maximum allowed, 200"',
      ],
    );
  });

  test("a role's inline policies add up past 10,240 characters, though each is under it", () => {
    const policy = (n: number) => ({
      Type: 'AWS::IAM::Policy',
      Properties: {
        PolicyName: `p${n}`,
        Roles: [{ Ref: 'Role' }],
        PolicyDocument: { Statement: Array.from({ length: 70 }, (_, i) => statement(`arn:aws:s3:::b/${n}/${i}/*`)) },
      },
    });
    const report = checkTemplate(
      'roles',
      templateFile('roles', { Resources: { Role: role, A: policy(1), B: policy(2) } }),
    );
    assert.equal(report.findings.length, 1);
    assert.match(
      describeFinding(report.findings[0] as never),
      /^roles Role: IAM inline policies of one role \(aggregate\) is 1\d,\d{3} of 10,240 characters .* AWS would answer "Maximum policy size of 10240 bytes exceeded for role Role"$/,
    );
  });

  test('references count at the length of what they resolve to, so a policy of ARNs is not undercounted', () => {
    const arns = Array.from({ length: 90 }, (_, i) => statement({ 'Fn::GetAtt': [`Function${i}`, 'Arn'] } as never));
    const template = {
      Resources: {
        Role: role,
        P: { Type: 'AWS::IAM::Policy', Properties: { Roles: [{ Ref: 'Role' }], PolicyDocument: { Statement: arns } } },
      },
    };
    const written = JSON.stringify(arns).length;
    const [finding] = checkTemplate('refs', templateFile('refs', template)).findings;
    assert.ok(finding && finding.figure > written, `counted ${finding?.figure}, written ${written}`);
    assert.equal(finding?.level, 'error');
  });

  test('a managed policy over 6,144 characters and a trust policy over 2,048', () => {
    const template = {
      Resources: {
        Managed: {
          Type: 'AWS::IAM::ManagedPolicy',
          Properties: {
            PolicyDocument: { Statement: Array.from({ length: 120 }, (_, i) => statement(`arn:aws:s3:::b/${i}/*`)) },
          },
        },
        Trusting: {
          Type: 'AWS::IAM::Role',
          Properties: {
            AssumeRolePolicyDocument: {
              Statement: Array.from({ length: 40 }, (_, i) => ({
                Effect: 'Allow',
                Principal: { AWS: `arn:aws:iam::1234567890${String(i).padStart(2, '0')}:root` },
                Action: 'sts:AssumeRole',
              })),
            },
          },
        },
      },
    };
    const errors = errorsOf(checkTemplate('iam', templateFile('iam', template)));
    assert.equal(errors.length, 2);
    assert.match(
      errors[0] ?? '',
      /^iam Managed: IAM managed policy document .* "Cannot exceed quota for PolicySize: 6144"$/,
    );
    assert.match(
      errors[1] ?? '',
      /^iam Trusting: IAM role trust policy .* "Cannot exceed quota for ACLSizePerRole: 2048"$/,
    );
  });

  test('a state machine definition over 1 MiB, and one only a lenient interpreter would take', () => {
    const pass = (next: string) => ({ Type: 'Pass', Result: 'x'.repeat(1000), Next: next });
    const states = Object.fromEntries(Array.from({ length: 1100 }, (_, i) => [`S${i}`, pass(`S${i + 1}`)]));
    const huge = { StartAt: 'S0', States: { ...states, S1100: { Type: 'Succeed' } } };
    const broken = { StartAt: 'First', States: { First: { Type: 'Pass', Next: 'Nowhere' } } };
    const machine = (definition: unknown) => ({
      Type: 'AWS::StepFunctions::StateMachine',
      Properties: { DefinitionString: JSON.stringify(definition) },
    });
    const report = checkTemplate(
      'sfn',
      templateFile('sfn', { Resources: { Huge: machine(huge), Broken: machine(broken) } }),
    );
    assert.match(
      errorsOf(report).find((e) => e.startsWith('sfn Huge')) ?? '',
      /^sfn Huge: Step Functions state machine definition is 1,1\d\d,\d{3} of 1,048,576 bytes/,
    );
    assert.deepEqual([...new Set(report.asl.map((f) => f.resource))], ['Broken']);
    assert.match(report.asl[0]?.message ?? '', /Nowhere/);
  });

  test('the ASL validator takes a well-formed definition and names what is wrong in others', () => {
    assert.deepEqual(validateAsl(JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Succeed' } } })), []);
    assert.notDeepEqual(validateAsl(JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Wait' } } })), []);
    assert.deepEqual(validateAsl('{'), [
      `the definition is not JSON: ${(() => {
        try {
          JSON.parse('{');
        } catch (error) {
          return (error as Error).message;
        }
      })()}`,
    ]);
  });

  test(`over ${WARN_SHARE * 100}% of a limit is a warning, not a refusal`, () => {
    const template = { Resources: Object.fromEntries(Array.from({ length: 301 }, (_, i) => bucket(i))) };
    const report = checkTemplate('near', templateFile('near', template));
    assert.deepEqual(
      report.findings.map((f) => [f.limit.name, f.level]),
      [[LIMITS.resources.name, 'warning']],
    );
    assert.match(describeFinding(report.findings[0] as never), /301 of 500 resources \(60%\), over 60% of the limit/);
  });
});

describe('a project of 500 events over 50 families', () => {
  const root = tempDir('dap-large-project-');
  writeFiles(root, largeProjectFiles());
  const outdir = join(root, 'cdk.out');
  const app = testApp({ outdir });
  addDapStacks(app, loadCheckedProject(root), { only: 'prod' });
  const assembly = app.synth();
  const report = checkAssemblyLimits(assembly);

  test('synthesizes into stacks within 60% of every CloudFormation, IAM and Step Functions limit', () => {
    assert.deepEqual(report.findings.map(describeFinding), []);
    assert.deepEqual(report.asl, []);
    for (const m of report.measured) assert.ok(m.templateBytes < 0.6 * LIMITS.templateBytes.max, m.stack);
    for (const m of report.measured) assert.ok(m.resources < 0.6 * LIMITS.resources.max, m.stack);
  });

  test('the 1,050 tables (500 raw, 500 incoming, 50 stage) are spread evenly over the nested stacks', () => {
    const nested = report.measured.filter((m) => m.stack !== 'prod-dap');
    assert.equal(nested.length, CATALOG_TABLE_STACKS);
    const tables = nested.reduce((sum, m) => sum + m.resources, 0);
    assert.equal(tables, 1050);
    assert.ok(Math.max(...nested.map((m) => m.resources)) < 2 * (tables / CATALOG_TABLE_STACKS));
  });

  test("the drift crawler's policy is the same size for 500 raw tables as for one", () => {
    const parent = JSON.parse(readFileSync(join(outdir, 'prod-dap.template.json'), 'utf8'));
    const policies = Object.entries<{ Type: string; Properties: { PolicyDocument: unknown } }>(parent.Resources)
      .filter(([id, r]) => r.Type === 'AWS::IAM::Policy' && id.startsWith('CatalogDriftCrawlerRoletxma'))
      .map(([, r]) => JSON.stringify(r.Properties.PolicyDocument));
    assert.equal(policies.length, 1);
    assert.ok((policies[0] ?? '').length < 3000, `${policies[0]?.length} characters`);
    assert.deepEqual(sourcePrefixes([{ location: 'txma/a' }, { location: 'txma/b' }]), ['txma/']);
    assert.deepEqual(sourcePrefixes([{ location: 'txma/a' }]), ['txma/a/']);
    assert.deepEqual(sourcePrefixes([{ location: 'a/x' }, { location: 'b/y' }]), ['a/x/', 'b/y/']);
    // A shared folder that holds another source's tables too is not granted: each table's own folder is.
    assert.deepEqual(sourcePrefixes([{ location: 'txma/a' }, { location: 'txma/b' }], [{ location: 'txma/c' }]), [
      'txma/a/',
      'txma/b/',
    ]);
  });
});

describe('a change to one family', () => {
  function synthesize(change: (files: Record<string, string>) => void): Record<string, string> {
    const files = largeProjectFiles({ families: 3, eventsPerFamily: 2 });
    change(files);
    const root = tempDir('dap-family-change-');
    writeFiles(root, files);
    const app = testApp({ outdir: join(root, 'cdk.out') });
    addDapStacks(app, loadCheckedProject(root), { only: 'dev' });
    const assembly = app.synth();
    // Nested templates by their construct path (the file name ends in a hash of it), and the parent.
    return Object.fromEntries(
      checkAssemblyLimits(assembly).measured.map((m) => [
        m.stack.replace(/[0-9A-F]{8}\.nested$/, ''),
        readFileSync(join(assembly.directory, `${m.stack}.template.json`), 'utf8'),
      ]),
    );
  }
  const edit = (files: Record<string, string>, path: string, change: (value: never) => void) => {
    const value = JSON.parse(files[path] ?? '{}');
    change(value as never);
    files[path] = JSON.stringify(value);
  };
  const before = synthesize(() => {});

  test("a new stage column changes only the nested stacks of that family's stage and incoming tables", () => {
    // Act
    const after_ = synthesize((files) =>
      edit(files, 'athena-scripts/stage_tables/family_002.json', (table: { columns: unknown[] }) =>
        table.columns.push({ name: 'added_later', type: 'string' }),
      ),
    );

    // Assess
    const groups = hashedTableGroups([], ['family_002'], ['family_002_event_001', 'family_002_event_002']);
    const expected = new Set([...groups.stage.values(), ...groups.incoming.values()]);
    const changed = Object.keys(before).filter((k) => before[k] !== after_[k] && k !== 'dev-dap');
    assert.deepEqual(Object.keys(after_).sort(), Object.keys(before).sort());
    assert.deepEqual(
      changed.map((k) => k.replace(/^devdapCatalogTables/, '')).sort(),
      [...expected].map((g) => g.replace('-', '')).sort(),
    );
  });

  test('an event moving to another family leaves every table in the nested stack it was in', () => {
    // Act: family_001_event_001 now belongs to family_003
    const moved = synthesize((files) => {
      edit(files, 'athena-scripts/process_scripts/family_001_config.json', (events: { event_name: string }[]) =>
        events.splice(0, 1),
      );
      edit(files, 'athena-scripts/process_scripts/family_003_config.json', (events: unknown[]) =>
        events.push({ event_name: 'family_001_event_001', product_family: 'family_003', enabled: true }),
      );
      files['athena-scripts/dml/insert_into/family_001_event_001.sql'] = (
        files['athena-scripts/dml/insert_into/family_001_event_001.sql'] ?? ''
      ).replaceAll('{{stage_database}}.family_001', '{{stage_database}}.family_003');
    });

    // Assess: same nested stacks; the raw table is where it was, unchanged
    assert.deepEqual(Object.keys(moved).sort(), Object.keys(before).sort());
    const rawGroup = hashedTableGroups(['family_001_event_001'], [], []).raw.get('family_001_event_001');
    const key = `devdapCatalogTables${rawGroup?.replace('-', '')}`;
    assert.match(before[key] ?? '', /"Name": "family_001_event_001"/);
    assert.match(moved[key] ?? '', /"Name": "family_001_event_001"/);
  });
});
