import {
  type AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  GetQueryRuntimeStatisticsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import type { QueryEngine, QueryResult, QueryStatistics, SqlValue } from '../../core/ports.ts';

export interface AthenaQueryEngineOptions {
  readonly client: AthenaClient;
  readonly workgroup: string;
  /** @default 1000 */
  readonly pollMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export class AthenaQueryError extends Error {
  constructor(
    message: string,
    readonly queryExecutionId: string,
  ) {
    super(message);
    this.name = 'AthenaQueryError';
  }
}

/** Athena behind the QueryEngine port: what the Lambdas use outside the state machine's own Athena tasks. */
export class AthenaQueryEngine implements QueryEngine {
  constructor(private readonly options: AthenaQueryEngineOptions) {}

  async execute(sql: string, options: { readonly parameters?: readonly string[] } = {}): Promise<QueryResult> {
    const { client, workgroup } = this.options;
    const sleep = this.options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
    const started = Date.now();
    const parameters = options.parameters ?? [];
    const { QueryExecutionId: queryId } = await client.send(
      new StartQueryExecutionCommand({
        QueryString: sql,
        WorkGroup: workgroup,
        ...(parameters.length > 0
          ? { ExecutionParameters: parameters.map((p) => `'${p.replaceAll("'", "''")}'`) }
          : {}),
      }),
    );
    if (!queryId) throw new AthenaQueryError('Athena returned no query execution id', '');
    for (;;) {
      const { QueryExecution: execution } = await client.send(
        new GetQueryExecutionCommand({ QueryExecutionId: queryId }),
      );
      const state = execution?.Status?.State;
      if (state === 'SUCCEEDED') break;
      if (state === 'FAILED' || state === 'CANCELLED') {
        const reason = execution?.Status?.AthenaError?.ErrorMessage ?? execution?.Status?.StateChangeReason ?? state;
        throw new AthenaQueryError(`Athena query ${queryId} ${state}: ${reason}`, queryId);
      }
      await sleep(this.options.pollMs ?? 1000);
    }
    const rows: Record<string, SqlValue>[] = [];
    let columns: { name: string; type: string }[] = [];
    let token: string | undefined;
    let first = true;
    do {
      const page = await client.send(
        new GetQueryResultsCommand({ QueryExecutionId: queryId, ...(token ? { NextToken: token } : {}) }),
      );
      columns = (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => ({
        name: c.Name ?? '',
        type: c.Type ?? '',
      }));
      const data = page.ResultSet?.Rows ?? [];
      // The first row of the first page repeats the column names for SELECT queries.
      for (const row of first && data.length > 0 ? data.slice(1) : data) {
        const record: Record<string, SqlValue> = {};
        columns.forEach((c, i) => {
          record[c.name] = row.Data?.[i]?.VarCharValue ?? null;
        });
        rows.push(record);
      }
      first = false;
      token = page.NextToken;
    } while (token);
    const stats = await this.queryStatistics(queryId);
    return {
      queryId,
      columns,
      rows,
      rowsAffected: stats?.rowsWritten ?? 0,
      ...(stats?.bytesScanned === undefined ? {} : { bytesScanned: stats.bytesScanned }),
      durationMs: Date.now() - started,
    };
  }

  async queryStatistics(queryId: string): Promise<QueryStatistics | undefined> {
    const { client } = this.options;
    const [{ QueryExecution: execution }, runtime] = await Promise.all([
      client.send(new GetQueryExecutionCommand({ QueryExecutionId: queryId })),
      client.send(new GetQueryRuntimeStatisticsCommand({ QueryExecutionId: queryId })),
    ]);
    const bytesScanned = execution?.Statistics?.DataScannedInBytes;
    const durationMs = execution?.Statistics?.TotalExecutionTimeInMillis;
    const rowsWritten = runtime.QueryRuntimeStatistics?.Rows?.OutputRows;
    return {
      ...(rowsWritten === undefined ? {} : { rowsWritten }),
      ...(bytesScanned === undefined ? {} : { bytesScanned }),
      ...(durationMs === undefined ? {} : { durationMs }),
    };
  }

  async close(): Promise<void> {}
}
