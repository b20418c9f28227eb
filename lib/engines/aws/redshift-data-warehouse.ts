import {
  BatchExecuteStatementCommand,
  CancelStatementCommand,
  DescribeStatementCommand,
  type DescribeStatementCommandOutput,
  ExecuteStatementCommand,
  type Field,
  GetStatementResultCommand,
  RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { DATA_API_MAX_BATCH_STATEMENTS, DataApiLimitError, refuseOversized } from '../../core/migration-batches.ts';
import type { Warehouse } from '../../core/ports.ts';
import {
  buildProcedureCall,
  ProcedureFailedError,
  ProcedureTimeoutError,
  qualifiedName,
} from '../../core/procedure-call.ts';
import { optionalEnv, requireEnv, requirePositiveIntegerEnv } from './env.ts';

export interface RedshiftDataWarehouseOptions {
  /** @default a new `RedshiftDataClient` with the Lambda's region and credentials */
  readonly client?: RedshiftDataClient;
  readonly database: string;
  /** Redshift Serverless workgroup; give exactly one of this and `clusterIdentifier`. */
  readonly workgroupName?: string;
  /** Provisioned cluster; give exactly one of this and `workgroupName`. */
  readonly clusterIdentifier?: string;
  /** Secrets Manager secret with the database credentials. @default the caller's IAM identity */
  readonly secretArn?: string;
  /** Database user for temporary credentials on a provisioned cluster. @default the caller's IAM identity */
  readonly dbUser?: string;
  /** How long a CALL may run before it is cancelled. @default 900_000 (15 minutes) */
  readonly timeoutMs?: number;
  /** First wait between status polls; it doubles each poll. @default 500 */
  readonly pollInitialMs?: number;
  /** Longest wait between status polls. @default 10_000 */
  readonly pollMaxMs?: number;
  /** @default a `setTimeout` promise; tests inject one that records the waits */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Milliseconds clock for the timeout. @default Date.now */
  readonly now?: () => number;
  /** Source of jitter in [0, 1). @default Math.random */
  readonly random?: () => number;
}

/** The options cannot address a Redshift database; thrown by the constructor, before any call. */
export class RedshiftDataOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedshiftDataOptionsError';
  }
}

const DEFAULT_TIMEOUT_MS = 15 * 60 * 1000;
const DEFAULT_POLL_INITIAL_MS = 500;
const DEFAULT_POLL_MAX_MS = 10_000;
/** Share of each wait that is randomised, so many families polling at once spread out ("equal jitter"). */
const JITTER_SHARE = 0.5;

type StatementStatus = NonNullable<DescribeStatementCommandOutput['Status']>;
const TERMINAL_STATUSES: ReadonlySet<StatementStatus> = new Set(['FINISHED', 'FAILED', 'ABORTED']);

/** The connection half of an ExecuteStatement input: where and as whom. */
type Target = { Database: string; SecretArn?: string; DbUser?: string } & (
  | { WorkgroupName: string }
  | { ClusterIdentifier: string }
);

/**
 * Redshift through the Data API. The Data API is asynchronous: ExecuteStatement returns at once, so the CALL is
 * polled with DescribeStatement until it ends, and cancelled when it outlives `timeoutMs` so it does not keep
 * holding locks on the reporting tables after the pipeline has given up on it.
 */
export class RedshiftDataWarehouse implements Warehouse {
  private readonly client: RedshiftDataClient;
  private readonly target: Target;
  private readonly timeoutMs: number;
  private readonly pollInitialMs: number;
  private readonly pollMaxMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(options: RedshiftDataWarehouseOptions) {
    this.target = targetFrom(options);
    this.timeoutMs = positive('timeoutMs', options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    this.pollInitialMs = positive('pollInitialMs', options.pollInitialMs ?? DEFAULT_POLL_INITIAL_MS);
    this.pollMaxMs = positive('pollMaxMs', options.pollMaxMs ?? DEFAULT_POLL_MAX_MS);
    if (this.pollMaxMs < this.pollInitialMs) {
      throw new RedshiftDataOptionsError(
        `pollMaxMs (${this.pollMaxMs}) must be at least pollInitialMs (${this.pollInitialMs})`,
      );
    }
    this.client = options.client ?? new RedshiftDataClient({});
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  async callProcedure(
    schema: string,
    procedure: string,
    args: readonly string[],
  ): Promise<{ statementId: string; durationMs: number }> {
    const call = buildProcedureCall(schema, procedure, args);
    refuseOversized([call.sql], `CALL ${qualifiedName(schema, procedure)}`);
    const startedAt = this.now();
    const deadline = startedAt + this.timeoutMs;
    const submitted = await this.client.send(
      new ExecuteStatementCommand({
        ...this.target,
        Sql: call.sql,
        // The Data API rejects an empty parameter list, so a call without arguments sends none.
        ...(call.parameters.length > 0 ? { Parameters: call.parameters.map((parameter) => ({ ...parameter })) } : {}),
        // Lets an operator find the pipeline's calls with ListStatements or in the console.
        StatementName: `dap:${qualifiedName(schema, procedure)}`,
      }),
    );
    const statementId = submitted.Id;
    if (statementId === undefined) {
      throw new Error(`ExecuteStatement for ${qualifiedName(schema, procedure)} returned no statement id`, {
        cause: submitted,
      });
    }
    const facts = { schema, procedure, statementId };

    const statement = await this.awaitEnd(statementId, deadline);
    if (statement === 'timeout') {
      throw await this.cancelAfterTimeout(facts);
    }
    const detail = {
      statementId,
      status: statement.Status,
      error: statement.Error,
      redshiftQueryId: statement.RedshiftQueryId,
      redshiftPid: statement.RedshiftPid,
      sql: call.sql,
    };
    if (statement.Status === 'FAILED') {
      throw new ProcedureFailedError({ ...facts, warehouseError: statement.Error }, detail);
    }
    if (statement.Status === 'ABORTED') {
      throw new ProcedureFailedError({ ...facts, warehouseError: statement.Error, aborted: true }, detail);
    }
    return { statementId, durationMs: durationMsOf(statement) ?? this.now() - startedAt };
  }

  /**
   * Runs `sqls` and waits for them to end: one statement with ExecuteStatement, several with BatchExecuteStatement,
   * which Redshift runs in order as ONE transaction (a failure rolls back every statement of the batch). Throws
   * `StatementFailedError` with Redshift's error text and, for a batch, which statement failed;
   * `StatementTimeoutError` (after cancelling) when it outlives `timeoutMs`.
   */
  async runStatements(sqls: readonly string[], name: string): Promise<{ statementId: string; durationMs: number }> {
    if (sqls.length === 0) throw new RedshiftDataOptionsError(`${name}: no statement to run`);
    if (sqls.length > DATA_API_MAX_BATCH_STATEMENTS) {
      // BatchExecuteStatement would answer ValidationException; a caller splits its work into batches first.
      throw new DataApiLimitError(
        `${name}: ${sqls.length} statements in one batch, over the ${DATA_API_MAX_BATCH_STATEMENTS} the Redshift Data API runs in one BatchExecuteStatement`,
      );
    }
    refuseOversized(sqls, name);
    const startedAt = this.now();
    const submitted =
      sqls.length === 1
        ? await this.client.send(new ExecuteStatementCommand({ ...this.target, Sql: sqls[0], StatementName: name }))
        : await this.client.send(
            new BatchExecuteStatementCommand({ ...this.target, Sqls: [...sqls], StatementName: name }),
          );
    const statementId = submitted.Id;
    if (statementId === undefined) {
      throw new Error(`${name}: the Data API returned no statement id`, { cause: submitted });
    }
    const statement = await this.awaitEnd(statementId, startedAt + this.timeoutMs);
    if (statement === 'timeout') {
      const cancelled = await this.client
        .send(new CancelStatementCommand({ Id: statementId }))
        .then((answer) => answer.Status ?? false)
        .catch(() => false);
      throw new StatementTimeoutError(name, statementId, this.timeoutMs, cancelled);
    }
    if (statement.Status === 'FAILED' || statement.Status === 'ABORTED') {
      const failedIndex = statement.SubStatements?.findIndex(
        (sub) => sub.Status === 'FAILED' || sub.Status === 'ABORTED',
      );
      const failed = failedIndex === undefined || failedIndex < 0 ? undefined : failedIndex;
      throw new StatementFailedError({
        name,
        statementId,
        aborted: statement.Status === 'ABORTED',
        warehouseError:
          (failed === undefined ? undefined : statement.SubStatements?.[failed]?.Error) ?? statement.Error,
        ...(failed === undefined ? {} : { failedStatement: failed + 1, statements: sqls.length }),
      });
    }
    return { statementId, durationMs: durationMsOf(statement) ?? this.now() - startedAt };
  }

  /** Runs one query and returns its rows (every page), each as `{ column: value }`; NULL is `null`. */
  async queryRows(sql: string, name: string): Promise<Record<string, string | number | boolean | null>[]> {
    const { statementId } = await this.runStatements([sql], name);
    const rows: Record<string, string | number | boolean | null>[] = [];
    let columns: string[] | undefined;
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(
        new GetStatementResultCommand({ Id: statementId, ...(nextToken ? { NextToken: nextToken } : {}) }),
      );
      columns ??= (page.ColumnMetadata ?? []).map((column, index) => column.name ?? `column_${index + 1}`);
      for (const record of page.Records ?? []) {
        rows.push(
          Object.fromEntries(
            record.map((field, index) => [columns?.[index] ?? `column_${index + 1}`, fieldValue(field)]),
          ),
        );
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return rows;
  }

  /** Polls DescribeStatement with backoff until the statement ends, or says it ran past `deadline`. */
  private async awaitEnd(statementId: string, deadline: number): Promise<DescribeStatementCommandOutput | 'timeout'> {
    for (let attempt = 0; ; attempt++) {
      const remainingMs = deadline - this.now();
      if (remainingMs <= 0) return 'timeout';
      await this.sleep(Math.min(this.pollDelayMs(attempt), remainingMs));
      const statement = await this.client.send(new DescribeStatementCommand({ Id: statementId }));
      if (statement.Status !== undefined && TERMINAL_STATUSES.has(statement.Status)) return statement;
    }
  }

  /** Exponential backoff from `pollInitialMs`, capped at `pollMaxMs`, with the upper half of each wait random. */
  private pollDelayMs(attempt: number): number {
    const ceiling = Math.min(this.pollMaxMs, this.pollInitialMs * 2 ** Math.min(attempt, 30));
    return Math.round(ceiling * (1 - JITTER_SHARE + JITTER_SHARE * this.random()));
  }

  private async cancelAfterTimeout(facts: {
    schema: string;
    procedure: string;
    statementId: string;
  }): Promise<ProcedureTimeoutError> {
    try {
      const cancelled = await this.client.send(new CancelStatementCommand({ Id: facts.statementId }));
      return new ProcedureTimeoutError(
        { ...facts, timeoutMs: this.timeoutMs, cancelled: cancelled.Status ?? false },
        { statementId: facts.statementId, cancelStatus: cancelled.Status },
      );
    } catch (error: unknown) {
      // The timeout is the failure to report; a failed cancel only changes what the message says about cleanup.
      const cancelError = error instanceof Error ? error : new Error(String(error));
      return new ProcedureTimeoutError({ ...facts, timeoutMs: this.timeoutMs, cancelled: false }, cancelError);
    }
  }
}

/** A statement or batch sent through `runStatements` failed or was aborted in Redshift. */
export class StatementFailedError extends Error {
  readonly statementId: string;
  /** Redshift's own error text, verbatim. */
  readonly warehouseError: string | undefined;
  /** 1-based position of the failing statement within the batch, when Redshift says which. */
  readonly failedStatement: number | undefined;

  constructor(facts: {
    readonly name: string;
    readonly statementId: string;
    readonly aborted: boolean;
    readonly warehouseError: string | undefined;
    readonly failedStatement?: number;
    readonly statements?: number;
  }) {
    const which =
      facts.failedStatement === undefined ? '' : ` at statement ${facts.failedStatement} of ${facts.statements}`;
    const what = facts.aborted ? 'was aborted' : 'failed';
    const text = facts.warehouseError ?? 'the warehouse gave no error text';
    super(`${facts.name} ${what}${which}: ${text} (Data API statement ${facts.statementId})`);
    this.name = 'StatementFailedError';
    this.statementId = facts.statementId;
    this.warehouseError = facts.warehouseError;
    this.failedStatement = facts.failedStatement;
  }
}

export class StatementTimeoutError extends Error {
  constructor(
    readonly statementName: string,
    readonly statementId: string,
    readonly timeoutMs: number,
    cancelled: boolean,
  ) {
    const outcome = cancelled ? 'cancelled it' : 'could not cancel it, it may still be running';
    super(`${statementName} (statement ${statementId}) did not finish within ${timeoutMs} ms; ${outcome}`);
    this.name = 'StatementTimeoutError';
  }
}

function fieldValue(field: Field): string | number | boolean | null {
  if (field.isNull) return null;
  if (field.stringValue !== undefined) return field.stringValue;
  if (field.longValue !== undefined) return field.longValue;
  if (field.doubleValue !== undefined) return field.doubleValue;
  if (field.booleanValue !== undefined) return field.booleanValue;
  return null;
}

/** Duration is reported in nanoseconds; absent or negative until the statement has ended. */
function durationMsOf(statement: DescribeStatementCommandOutput): number | undefined {
  const nanoseconds = statement.Duration;
  return nanoseconds !== undefined && nanoseconds >= 0 ? Math.round(nanoseconds / 1_000_000) : undefined;
}

function targetFrom(options: RedshiftDataWarehouseOptions): Target {
  const { database, workgroupName, clusterIdentifier, secretArn, dbUser } = options;
  if (!database) {
    throw new RedshiftDataOptionsError('database is required');
  }
  const where =
    workgroupName !== undefined && clusterIdentifier === undefined
      ? { WorkgroupName: workgroupName }
      : clusterIdentifier !== undefined && workgroupName === undefined
        ? { ClusterIdentifier: clusterIdentifier }
        : undefined;
  if (where === undefined) {
    throw new RedshiftDataOptionsError(
      'give exactly one of workgroupName (Redshift Serverless) and clusterIdentifier (provisioned cluster)',
    );
  }
  if (secretArn !== undefined && dbUser !== undefined) {
    throw new RedshiftDataOptionsError('give at most one of secretArn and dbUser: they are two ways to authenticate');
  }
  // The Data API derives a Serverless user from the IAM identity or the secret; it takes no DbUser there.
  if (workgroupName !== undefined && dbUser !== undefined) {
    throw new RedshiftDataOptionsError('dbUser applies only to a provisioned cluster, not to a Serverless workgroup');
  }
  return {
    Database: database,
    ...where,
    ...(secretArn !== undefined ? { SecretArn: secretArn } : {}),
    ...(dbUser !== undefined ? { DbUser: dbUser } : {}),
  };
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new RedshiftDataOptionsError(`${name} must be a positive number of milliseconds, got ${value}`);
  }
  return value;
}

/**
 * The adapter from the variables the stack sets on the Redshift Lambdas: `REDSHIFT_DATABASE`, exactly one of
 * `REDSHIFT_WORKGROUP` and `REDSHIFT_CLUSTER`, optionally `REDSHIFT_SECRET_ARN`, `REDSHIFT_DB_USER` and
 * `PROCEDURE_TIMEOUT_SECONDS` (how long one statement may run; `defaultTimeoutMs` when unset).
 */
export function redshiftDataWarehouseFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  options: { readonly defaultTimeoutMs?: number } = {},
): RedshiftDataWarehouse {
  const timeoutMs =
    optionalEnv('PROCEDURE_TIMEOUT_SECONDS', env) === undefined
      ? options.defaultTimeoutMs
      : requirePositiveIntegerEnv('PROCEDURE_TIMEOUT_SECONDS', env) * 1000;
  return new RedshiftDataWarehouse({
    database: requireEnv('REDSHIFT_DATABASE', env),
    workgroupName: optionalEnv('REDSHIFT_WORKGROUP', env),
    clusterIdentifier: optionalEnv('REDSHIFT_CLUSTER', env),
    secretArn: optionalEnv('REDSHIFT_SECRET_ARN', env),
    dbUser: optionalEnv('REDSHIFT_DB_USER', env),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
}
