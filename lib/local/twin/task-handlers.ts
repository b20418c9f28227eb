import { ATHENA_QUERY_STRING_MAX_BYTES } from '../../core/athena-limits.ts';
import type { QueryEngine } from '../../core/ports.ts';
import { BytesScannedCutoffError } from '../../engines/local/duckdb-engine.ts';
import { type AslMachine, TemplateResolver, taskStates } from './definition.ts';
import type { LocalLambda } from './local-lambdas.ts';

export type TaskHandler = (input: unknown) => Promise<unknown>;

export class UnsupportedTaskError extends Error {
  constructor(
    readonly stateName: string,
    readonly resource: string,
    detail: string,
  ) {
    super(`state "${stateName}" uses resource "${resource}", which the local twin cannot run: ${detail}`);
    this.name = 'UnsupportedTaskError';
  }
}

/** An error as Step Functions reports it from a task: a name to match in Retry/Catch and a Cause string. */
export class TaskError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

export interface LocalServices {
  readonly lambdas: Readonly<Record<string, LocalLambda>>;
  readonly engine: QueryEngine;
  readonly notify: (message: { subject?: string; message: string; topicArn: string }) => void;
}

/**
 * One local handler per Task state, chosen by walking the definition and looking at each state's Resource, never by
 * a list of state names. A resource the twin cannot run stops the run before it starts.
 */
export function buildTaskHandlers(
  machine: AslMachine,
  resolver: TemplateResolver,
  services: LocalServices,
): Record<string, TaskHandler> {
  const handlers: Record<string, TaskHandler> = {};
  for (const { name, state } of taskStates(machine)) {
    const resource = state.Resource ?? '';
    if (TemplateResolver.functionLogicalId(resource) !== undefined) {
      handlers[name] = lambdaHandler(name, resource, resolver, services);
    } else if (resource === 'arn:aws:states:::lambda:invoke') {
      const functionArn = String(state.Parameters?.FunctionName ?? '');
      const invoke = lambdaHandler(name, functionArn, resolver, services);
      handlers[name] = async (input) => {
        const { Payload } = input as { Payload: unknown };
        return { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: await invoke(Payload) };
      };
    } else if (resource === 'arn:aws:states:::athena:startQueryExecution.sync') {
      handlers[name] = athenaHandler(services.engine);
    } else if (resource === 'arn:aws:states:::sns:publish') {
      handlers[name] = async (input) => {
        const { Message, Subject, TopicArn } = input as { Message: unknown; Subject?: string; TopicArn: string };
        services.notify({ message: String(Message), topicArn: TopicArn, ...(Subject ? { subject: Subject } : {}) });
        return { MessageId: `local-${Date.now()}` };
      };
    } else {
      throw new UnsupportedTaskError(name, resource, 'no local implementation for this service integration');
    }
  }
  return handlers;
}

function lambdaHandler(
  stateName: string,
  functionArn: string,
  resolver: TemplateResolver,
  services: LocalServices,
): TaskHandler {
  const logicalId = TemplateResolver.functionLogicalId(functionArn);
  if (logicalId === undefined) throw new UnsupportedTaskError(stateName, functionArn, 'not a function of this stack');
  const variables = (resolver.resource(logicalId).Properties?.Environment as { Variables?: Record<string, unknown> })
    ?.Variables;
  const handlerName = String(variables?.DAP_HANDLER ?? '');
  const handler = services.lambdas[handlerName];
  if (!handler) {
    throw new UnsupportedTaskError(stateName, functionArn, `its DAP_HANDLER "${handlerName}" has no local binding`);
  }
  return async (input) => {
    const requestBytes = jsonBytes(input);
    if (requestBytes > LAMBDA_REQUEST_MAX_BYTES) {
      // Lambda refuses the Invoke call itself: the function never runs.
      throw new TaskError(
        'Lambda.RequestEntityTooLargeException',
        `Request must be smaller than ${LAMBDA_REQUEST_MAX_BYTES} bytes for the InvokeFunction operation (the request to ${handlerName} has ${requestBytes} bytes)`,
      );
    }
    let response: unknown;
    try {
      response = await handler(input);
    } catch (error) {
      // As Lambda reports a function error: the error's name to match on, its type and message as the Cause.
      if (!(error instanceof Error)) throw new TaskError('Error', JSON.stringify({ errorMessage: String(error) }));
      throw new TaskError(error.name, JSON.stringify({ errorType: error.name, errorMessage: error.message }));
    }
    const responseBytes = jsonBytes(response);
    if (responseBytes > LAMBDA_RESPONSE_MAX_BYTES) {
      // The function ran (and did what it did), but Lambda returns its error in place of the response.
      const errorType = 'Function.ResponseSizeTooLarge';
      throw new TaskError(
        errorType,
        JSON.stringify({
          errorMessage: `Response payload size exceeded maximum allowed payload size (${LAMBDA_RESPONSE_MAX_BYTES} bytes). ${handlerName} returned ${responseBytes} bytes.`,
          errorType,
        }),
      );
    }
    return response;
  };
}

/** A synchronous (RequestResponse) Invoke's request: 6 MB, as Lambda's RequestEntityTooLargeException states it. */
export const LAMBDA_REQUEST_MAX_BYTES = 6_291_456;
/** A synchronous invocation's response, as Lambda's `Function.ResponseSizeTooLarge` error states it. */
export const LAMBDA_RESPONSE_MAX_BYTES = 6_291_556;

/** A payload's size as Step Functions and Lambda measure it: its UTF-8 JSON (nothing at all is 0 bytes). */
export function jsonBytes(value: unknown): number {
  return value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value));
}

/**
 * Athena StartQueryExecution.sync on the local engine; a client request token seen before returns its query. In the
 * task's workgroup the engine enforces what Athena does there (the bytes-scanned cutoff, 100 open partition writers);
 * a query over the cutoff ends CANCELLED, as the workgroup's data usage control cancels it.
 */
function athenaHandler(engine: QueryEngine): TaskHandler {
  const byToken = new Map<string, unknown>();
  return async (input) => {
    const { QueryString, ClientRequestToken, WorkGroup, ExecutionParameters } = input as {
      QueryString: string;
      ClientRequestToken?: string;
      WorkGroup?: string;
      ExecutionParameters?: string[];
    };
    const previous = ClientRequestToken ? byToken.get(ClientRequestToken) : undefined;
    if (previous) return previous;
    try {
      if (ExecutionParameters?.length === 0) throw new Error('ExecutionParameters must be a non-empty list or absent');
      const queryBytes = Buffer.byteLength(QueryString);
      if (queryBytes > ATHENA_QUERY_STRING_MAX_BYTES) {
        // Athena's API constraint, which DuckDB does not have.
        throw new Error(
          `1 validation error detected: Value at 'queryString' failed to satisfy constraint: Member must have length less than or equal to ${ATHENA_QUERY_STRING_MAX_BYTES} (it has ${queryBytes} bytes)`,
        );
      }
      if (ExecutionParameters && !acceptsExecutionParameters(QueryString)) {
        // Athena's own rule; DuckDB would accept them anywhere, so the twin enforces it to stay faithful.
        throw new Error(
          'ExecutionParameters are supported only for SELECT, INSERT INTO, CREATE TABLE AS SELECT and UNLOAD statements (Athena)',
        );
      }
      const result = await engine.execute(QueryString, {
        parameters: (ExecutionParameters ?? []).map(literalValue),
        ...(WorkGroup === undefined ? {} : { workgroup: WorkGroup }),
      });
      const output = {
        QueryExecution: {
          QueryExecutionId: result.queryId,
          Query: QueryString,
          WorkGroup,
          Status: { State: 'SUCCEEDED' },
          Statistics: {
            DataScannedInBytes: result.bytesScanned ?? null,
            EngineExecutionTimeInMillis: result.durationMs,
          },
        },
      };
      if (ClientRequestToken) byToken.set(ClientRequestToken, output);
      return output;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const cancelled = error instanceof BytesScannedCutoffError;
      throw new TaskError(
        'States.TaskFailed',
        JSON.stringify({
          QueryExecution: {
            Query: QueryString,
            ...(WorkGroup === undefined ? {} : { WorkGroup }),
            Status: { State: cancelled ? 'CANCELLED' : 'FAILED', StateChangeReason: reason },
            ...(cancelled ? { Statistics: { DataScannedInBytes: error.bytesScanned } } : {}),
          },
        }),
      );
    }
  };
}

/** Athena's rule: execution parameters only in SELECT, INSERT INTO, CTAS and UNLOAD statements. */
export function acceptsExecutionParameters(sql: string): boolean {
  const text = sql
    .replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' ')
    .trimStart()
    .toLowerCase();
  return /^(\(?\s*select|with|values|insert\s+into|unload|create\s+table\b[\s\S]*\bas\b)/.test(text);
}

/** Athena ExecutionParameters are SQL literals (`'2024-01-15'`, `42`); the local engine binds their values. */
function literalValue(literal: string): string {
  const quoted = /^'((?:[^']|'')*)'$/.exec(literal.trim());
  return quoted?.[1] !== undefined ? quoted[1].replaceAll("''", "'") : literal.trim();
}
