import { IDENTIFIER } from './model/schemas.ts';

/**
 * The contract for running one reporting-model stored procedure, shared by every `Warehouse` adapter (Redshift Data
 * API in AWS, PGlite locally): how a family's procedure is named, how the CALL is built, and the errors a failed or
 * overlong call throws. Pure: no AWS, no engine.
 */

/** Redshift's limit on an identifier's length, in bytes; ours are ASCII, so characters. */
const MAX_IDENTIFIER_LENGTH = 127;

/** Thrown before anything is sent when a schema, procedure or family name could be SQL rather than a name. */
export class InvalidIdentifierError extends Error {
  constructor(
    readonly role: string,
    readonly value: string,
  ) {
    const reason =
      value.length > MAX_IDENTIFIER_LENGTH
        ? `is ${value.length} characters, Redshift allows ${MAX_IDENTIFIER_LENGTH}`
        : `must match ${IDENTIFIER.source} (lower case, digits, underscores)`;
    super(`invalid ${role} ${JSON.stringify(value)}: ${reason}`);
    this.name = 'InvalidIdentifierError';
  }
}

/** Thrown before anything is sent when an argument cannot be passed as a Data API parameter. */
export class InvalidProcedureArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidProcedureArgumentError';
  }
}

/** What identifies one CALL in an error, so the state machine's run report can say which procedure failed where. */
export interface ProcedureCallFacts {
  readonly schema: string;
  readonly procedure: string;
  readonly statementId: string;
}

/**
 * The procedure ran and failed (its own `RAISE EXCEPTION`, a SQL error inside it) or was aborted. The message carries
 * the warehouse's error text verbatim, because that is what an operator reads in the run report.
 */
export class ProcedureFailedError extends Error {
  readonly schema: string;
  readonly procedure: string;
  readonly statementId: string;
  /** The warehouse's own error text, or undefined when the statement was aborted without one. */
  readonly warehouseError: string | undefined;

  constructor(
    facts: ProcedureCallFacts & { readonly warehouseError?: string; readonly aborted?: boolean },
    cause: unknown,
  ) {
    const call = `CALL ${qualifiedName(facts.schema, facts.procedure)} (statement ${facts.statementId})`;
    const message = facts.aborted
      ? `${call} was aborted before it finished${facts.warehouseError ? `: ${facts.warehouseError}` : ''}`
      : `${call} failed: ${facts.warehouseError ?? 'the warehouse gave no error text'}`;
    super(message, { cause });
    this.name = 'ProcedureFailedError';
    this.schema = facts.schema;
    this.procedure = facts.procedure;
    this.statementId = facts.statementId;
    this.warehouseError = facts.warehouseError;
  }
}

/** The procedure did not finish within the allowed time; the adapter has asked the warehouse to cancel it. */
export class ProcedureTimeoutError extends Error {
  readonly schema: string;
  readonly procedure: string;
  readonly statementId: string;
  readonly timeoutMs: number;

  constructor(facts: ProcedureCallFacts & { readonly timeoutMs: number; readonly cancelled: boolean }, cause: unknown) {
    const call = `CALL ${qualifiedName(facts.schema, facts.procedure)} (statement ${facts.statementId})`;
    const outcome = facts.cancelled ? 'cancelled it' : 'could not cancel it, it may still be running';
    super(`${call} did not finish within ${facts.timeoutMs} ms; ${outcome}`, { cause });
    this.name = 'ProcedureTimeoutError';
    this.schema = facts.schema;
    this.procedure = facts.procedure;
    this.statementId = facts.statementId;
    this.timeoutMs = facts.timeoutMs;
  }
}

/** Throws `InvalidIdentifierError` unless `value` is a safe, unquoted-equivalent Redshift identifier. */
export function assertIdentifier(role: string, value: string): void {
  if (!IDENTIFIER.test(value) || value.length > MAX_IDENTIFIER_LENGTH) {
    throw new InvalidIdentifierError(role, value);
  }
}

/** The reporting procedure that builds a product family's model: `sp_<family>`, as in `redshift-scripts/`. */
export function procedureNameForFamily(productFamily: string): string {
  assertIdentifier('product family', productFamily);
  const procedure = `sp_${productFamily}`;
  assertIdentifier('procedure', procedure);
  return procedure;
}

/**
 * How a family's procedure is called, read from its definition: with the run id (one varchar parameter, dap's
 * convention) or with nothing (`sp_x()`, as DAP's procedures are written). Anything else is a problem to report.
 */
export type ProcedureSignature =
  | { readonly ok: true; readonly takesRunId: boolean }
  | { readonly ok: false; readonly reason: string };

const VARCHAR_PARAMETER =
  /^(?:in\s+)?[a-z_][a-z0-9_]*\s+(?:varchar|character\s+varying|text|nvarchar)(?:\s*\(\s*(?:\d+|max)\s*\))?$/i;

export function procedureSignature(scriptText: string, procedure: string): ProcedureSignature {
  const header = new RegExp(
    `create\\s+or\\s+replace\\s+procedure\\s+\\{\\{reporting_schema\\}\\}\\.${procedure}\\s*\\(([^()]*(?:\\([^()]*\\)[^()]*)*)\\)`,
    'i',
  ).exec(scriptText);
  if (!header) {
    return {
      ok: false,
      reason: `expected CREATE OR REPLACE PROCEDURE {{reporting_schema}}.${procedure}(run_id varchar) or ${procedure}() in this file`,
    };
  }
  const parameters = (header[1] ?? '').trim();
  if (parameters === '') return { ok: true, takesRunId: false };
  if (!parameters.includes(',') && VARCHAR_PARAMETER.test(parameters)) return { ok: true, takesRunId: true };
  return {
    ok: false,
    reason: `${procedure}(${parameters}) cannot be called by the pipeline: expected no parameter, or one varchar (the run id)`,
  };
}

/** `schema.procedure`, for messages and the handler's output; identifiers are validated, so no quoting is needed. */
export function qualifiedName(schema: string, procedure: string): string {
  return `${schema}.${procedure}`;
}

/** A named Data API parameter (`:name` in the SQL). */
export interface NamedParameter {
  readonly name: string;
  readonly value: string;
}

export interface ProcedureCallStatement {
  readonly sql: string;
  readonly parameters: readonly NamedParameter[];
}

/**
 * `CALL "<schema>"."<procedure>"(:arg_1, :arg_2, ...)` with each argument bound as a named parameter. The port's
 * arguments are positional, so the names are positional too. Identifiers are validated and quoted; values never
 * enter the SQL text.
 */
export function buildProcedureCall(schema: string, procedure: string, args: readonly string[]): ProcedureCallStatement {
  assertIdentifier('schema', schema);
  assertIdentifier('procedure', procedure);
  const parameters = args.map((value, index) => {
    // The Data API rejects an empty parameter value (minimum length 1), with a message that names neither the
    // procedure nor the argument; say which here instead.
    if (value.length === 0) {
      throw new InvalidProcedureArgumentError(
        `argument ${index + 1} of ${qualifiedName(schema, procedure)} is empty; the Redshift Data API cannot bind an empty string`,
      );
    }
    return { name: `arg_${index + 1}`, value };
  });
  const placeholders = parameters.map((parameter) => `:${parameter.name}`).join(', ');
  return { sql: `CALL "${schema}"."${procedure}"(${placeholders})`, parameters };
}
