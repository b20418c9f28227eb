import type { ApiSource } from '../model/api-source-schema.ts';
import { valueAt } from './json-path.ts';

/**
 * What to do with one HTTP exchange: pure rules, so each is tested without a server. The engine (`pull.ts`) acts on
 * the verdict: keep the page, wait and ask again, back off and retry, or stop with an error.
 */

/** What came back from one request, as far as the transport got. */
export type Exchange =
  | {
      readonly kind: 'response';
      readonly status: number;
      readonly headers: { get(name: string): string | null };
      readonly text: string;
    }
  | { readonly kind: 'timeout'; readonly error: unknown }
  | { readonly kind: 'network'; readonly error: unknown };

export type Verdict =
  | { readonly kind: 'ok'; readonly body: unknown }
  /** 429 by status or in the body. `waitMs` is what the API asked for, if it said. */
  | { readonly kind: 'rate_limited'; readonly waitMs: number | undefined; readonly detail: string }
  | { readonly kind: 'auth'; readonly status: number; readonly detail: string }
  | { readonly kind: 'client_error'; readonly status: number; readonly detail: string }
  /** Worth another attempt after a backoff: 5xx, 408, timeouts, connection errors, a body that is not JSON. */
  | {
      readonly kind: 'transient';
      readonly reason: 'status' | 'timeout' | 'network' | 'malformed';
      readonly detail: string;
    };

type RateLimitConfig = ApiSource['rate_limit'];
type RetryConfig = ApiSource['retry'];

export function classify(exchange: Exchange, rateLimit: RateLimitConfig, now: Date): Verdict {
  if (exchange.kind === 'timeout') return { kind: 'transient', reason: 'timeout', detail: errorText(exchange.error) };
  if (exchange.kind === 'network') return { kind: 'transient', reason: 'network', detail: errorText(exchange.error) };
  const { status, headers, text } = exchange;
  const excerpt = text.slice(0, 300);
  if (status === 429) {
    return { kind: 'rate_limited', waitMs: requestedWaitMs(headers, rateLimit, now), detail: `HTTP 429: ${excerpt}` };
  }
  if (status === 401 || status === 403) return { kind: 'auth', status, detail: excerpt };
  if (status === 408 || status >= 500)
    return { kind: 'transient', reason: 'status', detail: `HTTP ${status}: ${excerpt}` };
  if (status < 200 || status >= 300) return { kind: 'client_error', status, detail: excerpt };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return { kind: 'transient', reason: 'malformed', detail: `${errorText(error)}: ${excerpt}` };
  }
  if (rateLimit.body_status !== undefined) {
    const bodyStatus = Number(valueAt(body, rateLimit.body_status));
    if (bodyStatus === 429) {
      return {
        kind: 'rate_limited',
        waitMs: requestedWaitMs(headers, rateLimit, now),
        detail: `HTTP ${status} with ${rateLimit.body_status} 429 in the body: ${excerpt}`,
      };
    }
  }
  return { kind: 'ok', body };
}

/**
 * How long the API asked us to wait: `Retry-After` (seconds or an HTTP date), else the configured reset header
 * (epoch seconds; small values are read as seconds from now, as some APIs send).
 */
export function requestedWaitMs(
  headers: { get(name: string): string | null },
  rateLimit: Pick<RateLimitConfig, 'reset_header'>,
  now: Date,
): number | undefined {
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter) {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.ceil(Number(retryAfter) * 1000);
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(0, at - now.getTime());
  }
  if (rateLimit.reset_header !== undefined) {
    const reset = headers.get(rateLimit.reset_header)?.trim();
    if (reset && /^\d+$/.test(reset)) {
      const value = Number(reset);
      return value > 1_000_000_000 ? Math.max(0, value * 1000 - now.getTime()) : value * 1000;
    }
  }
  return undefined;
}

/** The wait before retry number `failures` (1 for the first retry): exponential, capped, with equal jitter. */
export function backoffMs(failures: number, retry: RetryConfig, random: () => number): number {
  const ceiling = Math.min(retry.max_delay_ms, retry.base_delay_ms * 2 ** Math.max(0, failures - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * How long to wait for a rate limit: what the API asked; else, for the `unannounced`-th limit in a row that said
 * nothing (1 for the first), an exponential backoff from one second up to the configured default (1 s, 2 s, 4 s,
 * ...), so a short limit costs seconds, not the default every time.
 */
export function rateLimitWaitMs(
  verdict: { waitMs: number | undefined },
  rateLimit: RateLimitConfig,
  unannounced: number,
): number {
  if (verdict.waitMs !== undefined) return verdict.waitMs;
  return Math.min(rateLimit.default_wait_seconds * 1000, 1000 * 2 ** Math.max(0, unannounced - 1));
}

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${error.message}${cause}`;
}
