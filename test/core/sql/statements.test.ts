import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { splitSqlStatements, UnterminatedSqlError } from '../../../lib/core/sql/statements.ts';
import { REPO_ROOT } from '../../helpers/twin-fixture.ts';

const sqlOf = (script: string) => splitSqlStatements(script).map((s) => s.sql);

test('splits at top-level semicolons, trims, and drops empty statements', () => {
  assert.deepEqual(sqlOf('create schema a;\n\n  create table a.t (x int) ;;\nselect 1'), [
    'create schema a',
    'create table a.t (x int)',
    'select 1',
  ]);
});

test('a semicolon inside a string literal, with doubled quotes, does not split', () => {
  assert.deepEqual(sqlOf("insert into t values ('a;b', 'it''s; fine');select 2;"), [
    "insert into t values ('a;b', 'it''s; fine')",
    'select 2',
  ]);
});

test('a backslash escapes in every Redshift string, as the local rewriter and the lint read it', () => {
  // Redshift reads backslash escapes in plain literals too (QUOTE_LITERAL doubles backslashes for that reason), so
  // 'c\\';select 3' is one string; the splitter once took it for a string and a statement.
  assert.deepEqual(sqlOf("select E'a\\';b';select 'c\\';x';select 3"), [
    "select E'a\\';b'",
    "select 'c\\';x'",
    'select 3',
  ]);
  assert.throws(() => splitSqlStatements("select 'c\\';select 3"), UnterminatedSqlError);
});

test('in Trino a backslash is a plain character and only doubled quotes escape', () => {
  assert.deepEqual(
    splitSqlStatements("select 'c\\';select 'it''s'; select 3", 'trino').map((s) => s.sql),
    ["select 'c\\'", "select 'it''s'", 'select 3'],
  );
});

test('quoted identifiers may hold semicolons and quotes', () => {
  assert.deepEqual(sqlOf('create table "we;ird""name" (x int); select 1'), [
    'create table "we;ird""name" (x int)',
    'select 1',
  ]);
});

test('comments hide semicolons and quotes; comment-only statements are dropped', () => {
  const script = [
    "-- header; it's a comment",
    'select 1; -- trailing; comment',
    '/* block; with "quote" and \'tick */',
    '/* nested /* inner; */ still comment; */',
    'select 2;',
    '-- only a comment here;',
  ].join('\n');
  const statements = splitSqlStatements(script);
  assert.deepEqual(
    statements.map((s) => s.sql),
    [
      "-- header; it's a comment\nselect 1",
      '-- trailing; comment\n/* block; with "quote" and \'tick */\n/* nested /* inner; */ still comment; */\nselect 2',
    ],
  );
  assert.deepEqual(
    statements.map((s) => s.line),
    [2, 5],
  );
});

test('a procedure body in $$ with semicolons inside is one statement', () => {
  const script = `create or replace procedure conformed.sp_x(run_id varchar(128)) as $$
declare
  n integer;
begin
  insert into conformed.t select 1; -- inside
  raise info 'done; %', n;
end;
$$ language plpgsql;
call conformed.sp_x('r');`;
  const statements = sqlOf(script);
  assert.equal(statements.length, 2);
  assert.match(statements[0] ?? '', /^create or replace procedure[\s\S]*\$\$ language plpgsql$/);
  assert.equal(statements[1], "call conformed.sp_x('r')");
});

test('a tagged body closes only at its own tag, so $$ inside $body$ is plain text', () => {
  const script = `create function f() returns text as $body$
begin
  execute $$ select 1; $$;
  return $inner$ ; $$ ; $inner$;
end;
$body$ language plpgsql; select 9`;
  const statements = sqlOf(script);
  assert.equal(statements.length, 2);
  assert.match(statements[0] ?? '', /\$body\$ language plpgsql$/);
  assert.equal(statements[1], 'select 9');
});

test('$1 parameters and identifiers with $ are not dollar quotes', () => {
  assert.deepEqual(sqlOf('select a$b, $1 from t; select 2'), ['select a$b, $1 from t', 'select 2']);
});

test('an unterminated string, comment or body is refused with its line', () => {
  assert.throws(
    () => splitSqlStatements("select 1;\nselect 'oops;"),
    (e: unknown) => e instanceof UnterminatedSqlError && e.line === 2 && /string literal/.test(e.message),
  );
  assert.throws(() => splitSqlStatements('/* never closed'), UnterminatedSqlError);
  assert.throws(
    () => splitSqlStatements('create procedure p() as $$ begin; end;'),
    /dollar-quoted body \$\$ opened on line 1/,
  );
});

test('every shipped reporting script splits, each CREATE PROCEDURE whole with its body', () => {
  const dir = join(REPO_ROOT, 'redshift-scripts');
  for (const folder of ['migrations', 'procedures']) {
    for (const file of readdirSync(join(dir, folder)).filter((f) => f.endsWith('.sql'))) {
      const statements = splitSqlStatements(readFileSync(join(dir, folder, file), 'utf8'));
      assert.ok(statements.length > 0, `${folder}/${file} has statements`);
      for (const statement of statements) {
        const code = statement.sql.replace(/^(\s*--[^\n]*\n)*/, '').trim();
        if (/^create\s+or\s+replace\s+procedure/i.test(code)) {
          assert.match(code, /language\s+plpgsql$/i, `${folder}/${file} line ${statement.line}: the body stays whole`);
        }
      }
    }
  }
});
