import { historyInsert } from './migrations.ts';
import type { PendingScript } from './ports.ts';
import { type SqlStatement, splitSqlStatements } from './sql/statements.ts';

/**
 * How a migration script reaches Redshift through the Data API, and so how PGlite applies it too: each statement at
 * most 100,000 bytes ("The maximum query statement size is 100 KB", the Data API's considerations; over it the API
 * answers ValidationException "Cannot process query string larger than 100kB"), and at most 40 statements per
 * BatchExecuteStatement (its `Sqls`: 1 to 40 items, the Data API reference). Redshift runs one batch as one
 * transaction, so a script longer than a batch is applied in several. Pure.
 */

/** The largest statement the Data API takes, in bytes of UTF-8. */
export const DATA_API_MAX_STATEMENT_BYTES = 100_000;
/** The most statements one BatchExecuteStatement takes. */
export const DATA_API_MAX_BATCH_STATEMENTS = 40;

/** A statement or batch the Data API would refuse, refused before it is sent. */
export class DataApiLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataApiLimitError';
  }
}

/** The statement's size when the Data API would refuse it as too large; undefined when it fits. */
function oversizedStatementBytes(sql: string): number | undefined {
  const bytes = Buffer.byteLength(sql);
  return bytes > DATA_API_MAX_STATEMENT_BYTES ? bytes : undefined;
}

/** What the Data API answers a statement over its size with, for messages. */
const DATA_API_OVERSIZED_ANSWER = 'ValidationException: Cannot process query string larger than 100kB';

/** One BatchExecuteStatement of a script: its statements, the last batch ending with the history row. */
export interface ScriptBatch {
  readonly sqls: readonly string[];
  /** How many of the script's statements earlier batches hold (and Redshift committed before this one ran). */
  readonly before: number;
}

/**
 * The script's statements, then its history row, in batches of at most 40: one batch (one transaction) for any
 * script of up to 39 statements. Throws `DataApiLimitError` naming the file and line of a statement over 100,000
 * bytes, before anything is sent.
 */
export function migrationBatches(
  script: PendingScript,
  schema: string,
  runId: string,
): { readonly statements: readonly SqlStatement[]; readonly batches: readonly ScriptBatch[] } {
  const statements = splitSqlStatements(script.sql);
  for (const [index, statement] of statements.entries()) {
    const bytes = oversizedStatementBytes(statement.sql);
    if (bytes !== undefined) {
      const subject = `${script.script}: statement ${index + 1} of ${statements.length} (line ${statement.line})`;
      throw new DataApiLimitError(`${oversizedMessage(subject, bytes)}: split it`);
    }
  }
  const sqls = [...statements.map((s) => s.sql), historyInsert(schema, script, runId)];
  const batches: ScriptBatch[] = [];
  for (let before = 0; before < sqls.length; before += DATA_API_MAX_BATCH_STATEMENTS) {
    batches.push({ sqls: sqls.slice(before, before + DATA_API_MAX_BATCH_STATEMENTS), before });
  }
  return { statements, batches };
}

/** Refuses, before anything is sent, a statement the Data API would answer with ValidationException as too large. */
export function refuseOversized(sqls: readonly string[], name: string): void {
  for (const [index, sql] of sqls.entries()) {
    const bytes = oversizedStatementBytes(sql);
    if (bytes === undefined) continue;
    const which = sqls.length === 1 ? 'the statement' : `statement ${index + 1} of ${sqls.length}`;
    throw new DataApiLimitError(oversizedMessage(`${name}: ${which}`, bytes));
  }
}

/** Why the Data API would refuse a statement of `bytes` bytes; `subject` names the statement. */
function oversizedMessage(subject: string, bytes: number): string {
  return `${subject} is ${bytes} bytes, over the ${DATA_API_MAX_STATEMENT_BYTES} bytes the Redshift Data API takes in one statement (it would answer ${DATA_API_OVERSIZED_ANSWER})`;
}

/** What a failure in a later batch leaves behind, said after the error of the statement that failed. */
export function committedBeforeNote(script: PendingScript, batch: ScriptBatch): string {
  return batch.before === 0
    ? ''
    : `; statements 1 to ${batch.before} of ${script.script} were committed by earlier batches (the Data API runs at most ${DATA_API_MAX_BATCH_STATEMENTS} statements in one transaction) and the script is not recorded as applied`;
}
