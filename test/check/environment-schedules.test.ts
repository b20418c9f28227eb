import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { environmentSchema } from '../../lib/core/model/schemas.ts';

/** `schedules.raw_to_stage` becomes an EventBridge rule: what EventBridge would refuse must fail `dap check`. */

function problemsOf(rawToStage: string | null): string[] {
  const parsed = environmentSchema.safeParse({
    name: 'dev',
    account: '111111111111',
    region: 'eu-west-2',
    schedules: { raw_to_stage: rawToStage },
  });
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('environment schedules', () => {
  for (const accepted of [
    null,
    'cron(0 3 * * ? *)',
    'cron(15 4 * * ? *)',
    'cron(0/15 8-18 ? * MON-FRI *)',
    'cron(0 6 L * ? *)',
    'cron(0 6 ? * 6#3 2026-2030)',
    'cron(30 2 1,15 JAN,JUL ? *)',
    'rate(1 hour)',
    'rate(5 minutes)',
    'rate(2 days)',
  ]) {
    test(`accepts ${accepted}`, () => {
      assert.deepEqual(problemsOf(accepted), []);
    });
  }

  const cronShape = 'cron(minutes hours day-of-month month day-of-week year) such as cron(0 3 * * ? *)';
  for (const [refused, problem] of [
    ['cron(0 3 * * *)', `"cron(0 3 * * *)" has 5 fields: expected 6, ${cronShape}`],
    ['cron(0 3 * * ? * *)', `"cron(0 3 * * ? * *)" has 7 fields: expected 6, ${cronShape}`],
    [
      'cron(0 3 * * * *)',
      '"cron(0 3 * * * *)" has no ? in day-of-month or day-of-week: expected ? in exactly one of them, such as cron(0 3 * * ? *)',
    ],
    [
      'cron(0 3 ? * ? *)',
      '"cron(0 3 ? * ? *)" has ? in both day-of-month and day-of-week: expected ? in exactly one of them, such as cron(0 3 * * ? *)',
    ],
    [
      'cron(? 3 * * ? *)',
      '"cron(? 3 * * ? *)": minutes "?": expected digits and , - * / (? belongs in day-of-month or day-of-week)',
    ],
    [
      'rate(1 hours)',
      '"rate(1 hours)": expected rate(<n> <unit>), n a whole number from 1 and unit minute, hour or day (plural after 1), such as rate(1 hour) or rate(5 minutes)',
    ],
    [
      'rate(5 minute)',
      '"rate(5 minute)": expected rate(<n> <unit>), n a whole number from 1 and unit minute, hour or day (plural after 1), such as rate(1 hour) or rate(5 minutes)',
    ],
    [
      'rate(0 minutes)',
      '"rate(0 minutes)": expected rate(<n> <unit>), n a whole number from 1 and unit minute, hour or day (plural after 1), such as rate(1 hour) or rate(5 minutes)',
    ],
    ['0 3 * * ?', `"0 3 * * ?": expected an EventBridge schedule expression, ${cronShape}, or rate(1 hour)`],
    ['cron(0 3 * * ? x)', '"cron(0 3 * * ? x)": year "x": expected digits and , - * /'],
  ] as const) {
    test(`refuses ${refused}`, () => {
      assert.deepEqual(problemsOf(refused), [`schedules.raw_to_stage: ${problem}`]);
    });
  }
});
