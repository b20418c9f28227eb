import {
  CancelStatementCommand,
  DescribeStatementCommand,
  type DescribeStatementCommandOutput,
  ExecuteStatementCommand,
  RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import {
  buildProcedureCall,
  ProcedureFailedError,
  ProcedureTimeoutError,
  qualifiedName,
} from '../../core/procedure-call.ts';
import type { Warehouse } from '../ports.ts';

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

    for (let attempt = 0; ; attempt++) {
      const remainingMs = deadline - this.now();
      if (remainingMs <= 0) {
        throw await this.cancelAfterTimeout(facts);
      }
      await this.sleep(Math.min(this.pollDelayMs(attempt), remainingMs));
      const statement = await this.client.send(new DescribeStatementCommand({ Id: statementId }));
      const status = statement.Status;
      if (status === undefined || !TERMINAL_STATUSES.has(status)) {
        continue;
      }
      const detail = {
        statementId,
        status,
        error: statement.Error,
        redshiftQueryId: statement.RedshiftQueryId,
        redshiftPid: statement.RedshiftPid,
        sql: call.sql,
      };
      if (status === 'FAILED') {
        throw new ProcedureFailedError({ ...facts, warehouseError: statement.Error }, detail);
      }
      if (status === 'ABORTED') {
        throw new ProcedureFailedError({ ...facts, warehouseError: statement.Error, aborted: true }, detail);
      }
      return { statementId, durationMs: durationMsOf(statement) ?? this.now() - startedAt };
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
