import type { ApiEndpoint, ApiIncremental } from '../model/api-source-schema.ts';

/**
 * Requests are kept as references relative to the source's base URL (`/events/123/orders/?continuation=abc`), so a
 * checkpoint written while pulling from one host (the replay server) means the same page on another (the real API),
 * and a next link can never send credentials to a host the config does not name.
 */

export class UnboundPathParameterError extends Error {
  constructor(
    readonly endpoint: string,
    readonly parameter: string,
  ) {
    super(`endpoint "${endpoint}": path parameter {${parameter}} has no value (expected it from parent.params)`);
    this.name = 'UnboundPathParameterError';
  }
}

/** The first page's reference: path with its placeholders filled, fixed params, changed-since and page params. */
export function firstPageRef(
  endpoint: ApiEndpoint,
  bindings: Readonly<Record<string, string>>,
  since: string | undefined,
): string {
  const path = endpoint.path.replace(/\{([a-z][a-z0-9_]*)\}/g, (_whole, name: string) => {
    const value = bindings[name];
    if (value === undefined) throw new UnboundPathParameterError(endpoint.name, name);
    return encodeURIComponent(value);
  });
  const query = new URLSearchParams(endpoint.params);
  if (endpoint.incremental && since !== undefined) query.set(endpoint.incremental.param, since);
  if (endpoint.pagination.style === 'page_number') {
    query.set(endpoint.pagination.size_param, String(endpoint.pagination.size));
    query.set(endpoint.pagination.param, String(endpoint.pagination.first_page));
  }
  const search = query.toString();
  return search === '' ? path : `${path}?${search}`;
}

/** The absolute URL of a reference. */
export function absoluteUrl(baseUrl: string, ref: string): URL {
  return new URL(`${baseUrl.replace(/\/+$/, '')}${ref}`);
}

/** The reference with one query parameter set (added or replaced). */
export function withParam(ref: string, name: string, value: string): string {
  const [path = '', search = ''] = splitRef(ref);
  const query = new URLSearchParams(search);
  query.set(name, value);
  return `${path}?${query.toString()}`;
}

export function paramOf(ref: string, name: string): string | null {
  return new URLSearchParams(splitRef(ref)[1]).get(name);
}

/** A URL (absolute, or relative to `current`) as a reference under `baseUrl`, or undefined when it leaves it. */
export function refUnderBase(baseUrl: string, current: URL, link: string): string | undefined {
  let url: URL;
  try {
    url = new URL(link, current);
  } catch {
    return undefined;
  }
  const base = new URL(baseUrl);
  const basePath = base.pathname.replace(/\/+$/, '');
  if (url.origin !== base.origin) return undefined;
  if (url.pathname !== basePath && !url.pathname.startsWith(`${basePath}/`)) return undefined;
  const ref = `${url.pathname.slice(basePath.length)}${url.search}`;
  return ref.startsWith('/') ? ref : `/${ref}`;
}

/** The changed-since value as the API wants it. */
export function formatSince(at: Date, incremental: ApiIncremental): string {
  const since = new Date(at.getTime() - incremental.overlap_seconds * 1000);
  return incremental.format === 'unix_seconds'
    ? String(Math.floor(since.getTime() / 1000))
    : since.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function splitRef(ref: string): [string, string] {
  const at = ref.indexOf('?');
  return at === -1 ? [ref, ''] : [ref.slice(0, at), ref.slice(at + 1)];
}
