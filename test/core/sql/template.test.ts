import assert from 'node:assert/strict';
import { test } from 'node:test';
import { externalColumnReader } from '../../../lib/core/sql/template.ts';

const COLUMNS = ['event_id', 'user_id', 'email_address', 'extensions', 'processed_date'];
const STAGE = { placeholder: 'stage_schema', table: 'auth' } as const;

test('the columns of an external table the scripts can read: those named in a script that reads the table', () => {
  // Prepare
  const scripts = [
    'create procedure p() as $$ begin insert into t select s.event_id, s."USER_ID" from {{stage_schema}}.auth s where s.processed_date > \'2024-01-01\'; end $$ language plpgsql',
    // email_address is named, but only by a script that does not read the table
    'select email_address from {{stage_schema}}.other',
    // a comment naming a column does not count; a string does (dynamic SQL builds statements from strings)
    "select event_id from {{stage_schema}}.auth -- extensions\nwhere 'x' <> '' and 'user_id' <> ''",
  ];

  // Act
  const read = externalColumnReader(scripts)(STAGE, COLUMNS);

  // Assess
  assert.deepEqual(read, ['event_id', 'user_id', 'processed_date']);
});

test('a script selecting * from it reads every column; count(*) and a product do not', () => {
  assert.deepEqual(externalColumnReader(['select s.* from {{stage_schema}}.auth s'])(STAGE, COLUMNS), COLUMNS);
  assert.deepEqual(externalColumnReader(['select * from {{stage_schema}}.auth'])(STAGE, COLUMNS), COLUMNS);
  assert.deepEqual(
    externalColumnReader(['select count(*), 2 * 3 from {{stage_schema}}.auth where user_id is null'])(STAGE, COLUMNS),
    ['user_id'],
  );
});
