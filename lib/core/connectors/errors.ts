/**
 * What can go wrong while pulling a page. Each error names the source, the endpoint, the page and the URL, and says
 * what was expected; `cause` carries the response or error that explains it.
 */

/** The request a failure belongs to. `url` never carries credentials: they travel in headers. */
export interface PageRef {
  readonly source: string;
  readonly endpoint: string;
  readonly page: number;
  readonly url: string;
}

export function describePage(ref: PageRef): string {
  return `${ref.source} endpoint "${ref.endpoint}" page ${ref.page} (${ref.url})`;
}

/** Base of every error the connector engine raises about a source; never retried within a run. */
export class ConnectorError extends Error {
  readonly page: PageRef | undefined;

  constructor(message: string, page: PageRef | undefined, options: { cause?: unknown } = {}) {
    super(page ? `${describePage(page)}: ${message}` : message, options);
    this.name = 'ConnectorError';
    this.page = page;
  }
}

/** 401 or 403: the credentials are wrong, expired or lack a permission. Retrying cannot help. */
export class AuthenticationError extends ConnectorError {
  constructor(
    page: PageRef,
    readonly status: number,
    options: { cause?: unknown } = {},
  ) {
    super(
      `HTTP ${status}: the API refused the credentials (expected 2xx); check the secret's values and their permissions`,
      page,
      options,
    );
    this.name = 'AuthenticationError';
  }
}

/** Another 4xx: the request itself is wrong (path, parameters); retrying cannot help. */
export class HttpStatusError extends ConnectorError {
  constructor(
    page: PageRef,
    readonly status: number,
    options: { cause?: unknown } = {},
  ) {
    super(`HTTP ${status} (expected 2xx); check the endpoint's path and params in the source config`, page, options);
    this.name = 'HttpStatusError';
  }
}

/** A body that parsed as JSON but does not have the shape the endpoint's config promises. */
export class UnexpectedResponseError extends ConnectorError {
  constructor(
    page: PageRef,
    readonly issues: readonly string[],
    options: { cause?: unknown } = {},
  ) {
    super(`unexpected response shape: ${issues.join('; ')}`, page, options);
    this.name = 'UnexpectedResponseError';
  }
}

/** A 2xx body that is not JSON (a truncated transfer, a proxy's HTML page). Retried, then the cause of the failure. */
export class MalformedResponseError extends ConnectorError {
  constructor(page: PageRef, options: { cause?: unknown } = {}) {
    super('the body is not valid JSON (expected a JSON object)', page, options);
    this.name = 'MalformedResponseError';
  }
}

/** 5xx, timeouts, connection errors or malformed bodies on every attempt: the source is down for now. */
export class SourceUnavailableError extends ConnectorError {
  constructor(
    page: PageRef,
    readonly attempts: number,
    options: { cause?: unknown } = {},
  ) {
    const last = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(
      `still failing after ${attempts} attempt(s), last: ${last}; the next run resumes at this page`,
      page,
      options,
    );
    this.name = 'SourceUnavailableError';
  }
}

/** A credential named in the config has no value in the secret source. */
export class MissingSecretError extends ConnectorError {
  constructor(
    readonly secret: string,
    where: string,
    options: { cause?: unknown } = {},
  ) {
    super(`credential ${secret} is not set (expected it in ${where})`, undefined, options);
    this.name = 'MissingSecretError';
  }
}
