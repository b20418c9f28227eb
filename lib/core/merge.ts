import { quoteIdentifier } from './sql/identifiers.ts';
import { analyzeSql } from './sql/trino-analysis.ts';

/**
 * Stage writes replace, never append. An event's transform (an `INSERT INTO stage (cols) <query>`) runs in three
 * statements, because Athena accepts query parameters only in SELECT, INSERT INTO, CTAS and UNLOAD, never in MERGE:
 * 1. `clear`: empty the event's incoming table (leftovers of a run that stopped half-way);
 * 2. `load`: the transform's own query, with the window's bounds as parameters, INSERTed into the incoming table;
 * 3. `merge`: MERGE from the incoming table into the stage table keyed by the table's deduplication key, without
 *    parameters. Within the window, the first row by the stated order wins; across windows, an existing row is
 *    replaced only by a row that comes first or ties (so re-running a window rewrites it with the same values, and a
 *    later duplicate never overwrites the earlier one). Re-running anything converges on the rows of one clean run.
 */
export interface Deduplication {
  readonly key: readonly string[];
  readonly order_by: readonly string[];
  readonly keep: 'earliest' | 'latest';
}

export class TransformShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransformShapeError';
  }
}

const RANK = 'dap_row_rank';

export interface TransformStatements {
  readonly clear: string;
  /** Has the transform's `?` parameters. */
  readonly load: string;
  readonly merge: string;
}

/** `incoming` is the event's incoming table, `[database, table]`, with the stage table's columns. */
export function transformStatements(
  insertSql: string,
  dedup: Deduplication,
  incoming: readonly [string, string],
): TransformStatements {
  const analysis = analyzeSql(insertSql);
  const insert = analysis.insert;
  if (!insert?.columns)
    throw new TransformShapeError('a transform must be one INSERT INTO <table> (<columns>) <query>');
  const columns = insert.columns;
  for (const column of [...dedup.key, ...dedup.order_by]) {
    if (!columns.includes(column)) {
      throw new TransformShapeError(`deduplication column "${column}" is not among the columns the transform inserts`);
    }
  }
  const q = quoteIdentifier;
  const target = insert.target.map(q).join('.');
  const staging = incoming.map(q).join('.');
  const direction = dedup.keep === 'earliest' ? 'asc' : 'desc';
  const order = dedup.order_by.map((c) => `${q(c)} ${direction} nulls last`).join(', ');
  const first = dedup.keep === 'earliest' ? '<' : '>';
  // source comes first by (o1, o2, ...) or ties on all of them
  const precedes = dedup.order_by
    .map((column, i) => {
      const equalBefore = dedup.order_by.slice(0, i).map((c) => `source.${q(c)} = target.${q(c)}`);
      const last = i === dedup.order_by.length - 1;
      return [...equalBefore, `source.${q(column)} ${first}${last ? '=' : ''} target.${q(column)}`].join(' and ');
    })
    .map((clause) => `(${clause})`)
    .join(' or ');
  const notNullKey = dedup.key.map((c) => `${q(c)} is not null`).join(' and ');
  const merge = [
    `merge into ${target} as target`,
    'using (',
    `  select ${columns.map(q).join(', ')} from (`,
    `    select incoming.*, row_number() over (partition by ${dedup.key.map(q).join(', ')} order by ${order}) as ${RANK}`,
    `    from ${staging} as incoming`,
    `    where ${notNullKey}`,
    `  ) as ranked where ${RANK} = 1`,
    ') as source',
    `on ${dedup.key.map((c) => `target.${q(c)} = source.${q(c)}`).join(' and ')}`,
    `when matched and (${precedes}) then update set ${columns.map((c) => `${q(c)} = source.${q(c)}`).join(', ')}`,
    `when not matched then insert (${columns.map(q).join(', ')}) values (${columns.map((c) => `source.${q(c)}`).join(', ')})`,
  ].join('\n');
  return {
    clear: `delete from ${staging}`,
    load: `insert into ${staging} (${columns.map(q).join(', ')})\n${insert.query}`,
    merge,
  };
}
