import type { ApiEndpoint, ApiSource } from '../model/api-source-schema.ts';
import type { ControlStore, ObjectStore, SecretSource } from '../ports.ts';
import { encodeRawText } from '../raw-files.ts';
import type { ConnectorConfig } from './connector-config.ts';
import {
  AuthenticationError,
  ConnectorError,
  HttpStatusError,
  MalformedResponseError,
  type PageRef,
  SourceUnavailableError,
  UnexpectedResponseError,
} from './errors.ts';
import { scalarText, valueAt } from './json-path.ts';
import { nextPage } from './pagination.ts';
import { backoffMs, classify, type Exchange, rateLimitWaitMs } from './policy.ts';
import { type ActivePull, type PullTask, pullId, type SourceState, sourceStateSchema, stateKey } from './pull-state.ts';
import { pageBody, pageKey } from './raw-pages.ts';
import { absoluteUrl, firstPageRef, formatSince } from './requests.ts';
import { pageSchema, readPage } from './response-shape.ts';
import { authorizationHeader } from './secrets.ts';

/**
 * The pull step: walks a source's endpoints page by page, writes each page to raw, and checkpoints after each write.
 * Rate limits and time limits are normal outcomes, not failures: the run stops cleanly as `partial` and the next
 * run resumes at the next page. Written against the ports, so the Lambda, the CLI and the tests run the same code.
 */

/** Time kept after the last request to write its page and checkpoint. */
export const CHECKPOINT_MARGIN_MS = 5000;

export interface PullClock {
  now(): Date;
  sleep(ms: number): Promise<void>;
  random(): number;
}

export const systemClock: PullClock = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

export interface PullDeps {
  readonly store: ObjectStore;
  readonly rawBucket: string;
  readonly control: ControlStore;
  readonly secrets: SecretSource;
  /** @default the system clock, real sleeps and Math.random */
  readonly clock?: PullClock;
  /** Time left before the run must end (the Lambda's `getRemainingTimeInMillis`). @default unlimited */
  readonly remainingMs?: () => number;
  /** @default globalThis.fetch */
  readonly fetch?: typeof globalThis.fetch;
  readonly log?: (message: string, details: Record<string, unknown>) => void;
}

export interface PullOptions {
  /** Another host for the same API, e.g. the local replay server. @default the source's `base_url` */
  readonly baseUrl?: string;
  /** Abandon the pull in progress (its checkpoint) and start a new one from the watermarks. @default false */
  readonly restart?: boolean;
}

/** Why a run stopped before its pull was complete; each is resumed by the next run. */
export type StopReason = 'time_limit' | 'request_budget' | 'rate_limited';

export interface PullResult {
  readonly source: string;
  readonly pullId: string;
  /** `complete`: the pull finished and watermarks moved. `partial`: stopped cleanly, resumes. `failed`: see error. */
  readonly status: 'complete' | 'partial' | 'failed';
  readonly stopReason?: StopReason;
  /** For a rate limit longer than a run may wait: when the API said to come back. */
  readonly resumeAfter?: string;
  readonly error?: Error;
  /** This run's work. */
  readonly pages: number;
  readonly records: number;
  readonly requests: number;
  readonly retries: number;
  readonly rateLimitWaits: number;
  readonly waitedMs: number;
  readonly pagesByEndpoint: Readonly<Record<string, number>>;
  /** Tasks (endpoint scopes) left in the pull when the run ended. */
  readonly pendingTasks: number;
}

type Fetched =
  | { readonly kind: 'page'; readonly body: unknown; readonly headers: { get(name: string): string | null } }
  | { readonly kind: 'stop'; readonly reason: StopReason; readonly resumeAfter?: string };

export async function pullSource(
  connector: ConnectorConfig,
  deps: PullDeps,
  options: PullOptions = {},
): Promise<PullResult> {
  return new SourcePull(connector, deps, options).run();
}

class SourcePull {
  private readonly source: ApiSource;
  private readonly clock: PullClock;
  private readonly remainingMs: () => number;
  private readonly fetch: typeof globalThis.fetch;
  private readonly baseUrl: string;
  private readonly endpoints: ReadonlyMap<string, ApiEndpoint>;
  private readonly children: ReadonlyMap<string, readonly ApiEndpoint[]>;
  private readonly counters = { pages: 0, records: 0, requests: 0, retries: 0, rateLimitWaits: 0, waitedMs: 0 };
  private readonly pagesByEndpoint: Record<string, number> = {};
  private state: SourceState = sourceStateSchema.parse({});
  private version = 0;
  private readonly restart: boolean;

  constructor(
    private readonly connector: ConnectorConfig,
    private readonly deps: PullDeps,
    options: PullOptions,
  ) {
    this.source = connector.source;
    this.clock = deps.clock ?? systemClock;
    this.remainingMs = deps.remainingMs ?? (() => Number.POSITIVE_INFINITY);
    this.fetch = deps.fetch ?? globalThis.fetch;
    this.baseUrl = (options.baseUrl ?? this.source.base_url).replace(/\/+$/, '');
    this.restart = options.restart ?? false;
    this.endpoints = new Map(this.source.endpoints.map((e) => [e.name, e]));
    const children = new Map<string, ApiEndpoint[]>();
    for (const endpoint of this.source.endpoints) {
      if (endpoint.parent)
        children.set(endpoint.parent.endpoint, [...(children.get(endpoint.parent.endpoint) ?? []), endpoint]);
    }
    this.children = children;
  }

  async run(): Promise<PullResult> {
    let pull = await this.loadOrStart();
    try {
      const authorization = await authorizationHeader(this.source.auth, this.deps.secrets);
      while (pull.tasks.length > 0) {
        const [task, ...rest] = pull.tasks as [PullTask, ...PullTask[]];
        const endpoint = this.endpoint(task);
        const ref: PageRef = { source: this.source.source, endpoint: endpoint.name, page: task.page, url: task.ref };
        const fetched = await this.fetchPage(ref, absoluteUrl(this.baseUrl, task.ref), authorization);
        if (fetched.kind === 'stop') return this.result(pull, 'partial', fetched);
        pull = await this.keepPage(pull, task, rest, endpoint, ref, fetched);
      }
      return this.result(await this.complete(pull), 'complete');
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      this.log('pull failed', { error: failure.message });
      return this.result(pull, 'failed', { error: failure });
    }
  }

  /** The pull in progress, or a new one (checkpointed at once, so its id and since values stay fixed). */
  private async loadOrStart(): Promise<ActivePull> {
    const key = stateKey(this.source.source);
    const stored = await this.deps.control.get<unknown>(key);
    if (stored) {
      const parsed = sourceStateSchema.safeParse(stored.value);
      if (!parsed.success && !this.restart) {
        throw new ConnectorError(
          `checkpoint "${key}" is not in the expected shape (${parsed.error.issues[0]?.message}); dap pull ${this.source.source} --restart starts over`,
          undefined,
          { cause: parsed.error },
        );
      }
      if (parsed.success) this.state = parsed.data;
      this.version = stored.version;
    }
    if (this.restart && this.state.active) {
      // Abandoned: the pages it wrote stay in raw; watermarks move only when a pull completes, so nothing is skipped.
      this.log('abandoning pull', { pull_id: this.state.active.id, pending_tasks: this.state.active.tasks.length });
      const { active: _abandoned, ...rest } = this.state;
      this.state = rest;
    }
    if (this.state.active) {
      this.log('resuming pull', { pull_id: this.state.active.id, pending_tasks: this.state.active.tasks.length });
      return this.state.active;
    }
    const startedAt = this.clock.now();
    const sequence = this.state.pulls_started + 1;
    const since: Record<string, string> = {};
    for (const endpoint of this.source.endpoints) {
      const watermark = this.state.watermarks[endpoint.name];
      if (endpoint.incremental && watermark !== undefined) {
        since[endpoint.name] = formatSince(new Date(watermark), endpoint.incremental);
      }
    }
    const tasks = this.source.endpoints
      .filter((endpoint) => !endpoint.parent)
      .map((endpoint) => ({
        endpoint: endpoint.name,
        parent: {},
        page: 1,
        ref: firstPageRef(endpoint, {}, since[endpoint.name]),
      }));
    const pull: ActivePull = {
      id: pullId(startedAt, sequence),
      started_at: startedAt.toISOString(),
      since,
      tasks,
      pages_written: 0,
      records_written: 0,
    };
    await this.checkpoint({ ...this.state, pulls_started: sequence, active: pull });
    this.log('starting pull', { pull_id: pull.id, since });
    return pull;
  }

  private endpoint(task: PullTask): ApiEndpoint {
    const endpoint = this.endpoints.get(task.endpoint);
    if (!endpoint) {
      throw new ConnectorError(
        `the checkpoint of pull ${this.state.active?.id} names endpoint "${task.endpoint}", which the config no longer has (expected one of ${[...this.endpoints.keys()].join(', ')}); restore it, or abandon that pull with dap pull ${this.source.source} --restart`,
        undefined,
      );
    }
    return endpoint;
  }

  /** One page, with retries, backoff and rate-limit waits; or the reason this run must stop before it. */
  private async fetchPage(ref: PageRef, url: URL, authorization: string | undefined): Promise<Fetched> {
    const { source } = this;
    const reserve = source.request_timeout_ms + CHECKPOINT_MARGIN_MS;
    let failures = 0;
    let unannounced = 0;
    for (;;) {
      if (this.counters.requests >= source.max_requests_per_run) return this.stop('request_budget', ref);
      if (this.remainingMs() < reserve) return this.stop('time_limit', ref);
      this.counters.requests++;
      const exchange = await this.exchange(url, authorization);
      const verdict = classify(exchange, source.rate_limit, this.clock.now());
      switch (verdict.kind) {
        case 'ok':
          return {
            kind: 'page',
            body: verdict.body,
            headers: exchange.kind === 'response' ? exchange.headers : new Headers(),
          };
        case 'auth':
          throw new AuthenticationError(ref, verdict.status, {
            cause: { status: verdict.status, body: verdict.detail },
          });
        case 'client_error':
          throw new HttpStatusError(ref, verdict.status, { cause: { status: verdict.status, body: verdict.detail } });
        case 'rate_limited': {
          if (verdict.waitMs === undefined) unannounced++;
          const waitMs = rateLimitWaitMs(verdict, source.rate_limit, unannounced);
          const resumeAfter = new Date(this.clock.now().getTime() + waitMs).toISOString();
          if (waitMs > source.rate_limit.max_wait_seconds * 1000 || this.remainingMs() - waitMs < reserve) {
            this.log('rate limited beyond what this run may wait', { ...ref, wait_ms: waitMs, detail: verdict.detail });
            return this.stop('rate_limited', ref, resumeAfter);
          }
          this.log('rate limited, waiting', {
            ...ref,
            wait_ms: waitMs,
            why: verdict.waitMs === undefined ? `backoff ${unannounced} (the API said nothing)` : 'as the API asked',
          });
          this.counters.rateLimitWaits++;
          this.counters.waitedMs += waitMs;
          await this.clock.sleep(waitMs);
          break;
        }
        case 'transient': {
          failures++;
          if (failures >= source.retry.max_attempts) {
            const cause =
              verdict.reason === 'malformed'
                ? new MalformedResponseError(ref, { cause: verdict.detail })
                : new Error(`${verdict.reason}: ${verdict.detail}`);
            throw new SourceUnavailableError(ref, failures, { cause });
          }
          const delayMs = backoffMs(failures, source.retry, this.clock.random);
          if (this.remainingMs() - delayMs < reserve) return this.stop('time_limit', ref);
          this.log('transient failure, backing off', {
            ...ref,
            reason: verdict.reason,
            delay_ms: delayMs,
            detail: verdict.detail,
          });
          this.counters.retries++;
          this.counters.waitedMs += delayMs;
          await this.clock.sleep(delayMs);
          break;
        }
      }
    }
  }

  private async exchange(url: URL, authorization: string | undefined): Promise<Exchange> {
    const signal = AbortSignal.timeout(this.source.request_timeout_ms);
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'dap-connector' };
    if (authorization !== undefined) headers.authorization = authorization;
    try {
      const response = await this.fetch(url, { headers, signal });
      const text = await response.text();
      return { kind: 'response', status: response.status, headers: response.headers, text };
    } catch (error) {
      return signal.aborted ? { kind: 'timeout', error } : { kind: 'network', error };
    }
  }

  /** Validates the page, writes it to raw, queues what follows, then checkpoints. */
  private async keepPage(
    pull: ActivePull,
    task: PullTask,
    rest: readonly PullTask[],
    endpoint: ApiEndpoint,
    ref: PageRef,
    fetched: Extract<Fetched, { kind: 'page' }>,
  ): Promise<ActivePull> {
    const children = this.children.get(endpoint.name) ?? [];
    const childFields = children.flatMap((child) => Object.values(child.parent?.params ?? {}));
    const page = readPage(pageSchema(endpoint, childFields), endpoint, fetched.body);
    if (!page.ok) throw new UnexpectedResponseError(ref, page.issues, { cause: fetched.body });
    const url = absoluteUrl(this.baseUrl, task.ref);
    const next = nextPage(endpoint.pagination, {
      baseUrl: this.baseUrl,
      ref: task.ref,
      url,
      body: fetched.body,
      headers: fetched.headers,
      recordCount: page.records.length,
    });
    if (next.kind === 'invalid') throw new UnexpectedResponseError(ref, [`expected ${next.expected}`]);
    const childTasks = children.flatMap((child) =>
      page.records.map((record, index) => this.childTask(child, record, ref, index, pull.since[child.name])),
    );

    if (page.records.length > 0) {
      const location = this.connector.locations[endpoint.raw_table];
      if (location === undefined) {
        throw new ConnectorError(
          `raw table "${endpoint.raw_table}" has no location (is it declared in athena-scripts/raw_tables/?)`,
          ref,
        );
      }
      const compression = this.connector.compression[endpoint.raw_table] ?? 'none';
      const key = pageKey({
        location,
        pullId: pull.id,
        pullStartedAt: pull.started_at,
        endpoint: endpoint.name,
        parent: task.parent,
        page: task.page,
        compression,
      });
      const body = pageBody(page.records, {
        source: this.source.source,
        endpoint: endpoint.name,
        page: task.page,
        pulled_at: this.clock.now().toISOString(),
        pull_id: pull.id,
        parent: task.parent,
      });
      await this.deps.store.put(this.deps.rawBucket, key, await encodeRawText(body, compression));
    }

    const following = next.kind === 'next' ? [{ ...task, page: task.page + 1, ref: next.ref }] : [];
    const updated: ActivePull = {
      ...pull,
      tasks: [...following, ...rest, ...childTasks],
      pages_written: pull.pages_written + 1,
      records_written: pull.records_written + page.records.length,
    };
    await this.checkpoint({ ...this.state, active: updated });
    this.counters.pages++;
    this.counters.records += page.records.length;
    this.pagesByEndpoint[endpoint.name] = (this.pagesByEndpoint[endpoint.name] ?? 0) + 1;
    this.log('page written', { ...ref, records: page.records.length, children: childTasks.length });
    return updated;
  }

  private childTask(
    child: ApiEndpoint,
    record: Record<string, unknown>,
    ref: PageRef,
    index: number,
    since: string | undefined,
  ): PullTask {
    const bindings: Record<string, string> = {};
    for (const [param, field] of Object.entries(child.parent?.params ?? {})) {
      const value = scalarText(valueAt(record, field));
      if (value === undefined) {
        throw new UnexpectedResponseError(ref, [
          `${this.source.endpoints.find((e) => e.name === ref.endpoint)?.records}[${index}].${field}: expected a string or number for {${param}} of endpoint "${child.name}"`,
        ]);
      }
      bindings[param] = value;
    }
    return { endpoint: child.name, parent: bindings, page: 1, ref: firstPageRef(child, bindings, since) };
  }

  /** The queue is empty: watermarks move to this pull's start, and the next run starts a new pull. */
  private async complete(pull: ActivePull): Promise<ActivePull> {
    const watermarks = { ...this.state.watermarks };
    for (const endpoint of this.source.endpoints) if (endpoint.incremental) watermarks[endpoint.name] = pull.started_at;
    const { active: _done, ...rest } = this.state;
    await this.checkpoint({
      ...rest,
      watermarks,
      last_complete: {
        id: pull.id,
        started_at: pull.started_at,
        finished_at: this.clock.now().toISOString(),
        pages: pull.pages_written,
        records: pull.records_written,
      },
    });
    this.log('pull complete', { pull_id: pull.id, pages: pull.pages_written, records: pull.records_written });
    return pull;
  }

  private async checkpoint(state: SourceState): Promise<void> {
    this.version = await this.deps.control.put(stateKey(this.source.source), state, this.version);
    this.state = state;
  }

  private stop(reason: StopReason, ref: PageRef, resumeAfter?: string): Fetched {
    this.log('stopping; the next run resumes here', {
      ...ref,
      reason,
      ...(resumeAfter ? { resume_after: resumeAfter } : {}),
    });
    return { kind: 'stop', reason, ...(resumeAfter === undefined ? {} : { resumeAfter }) };
  }

  private result(
    pull: ActivePull,
    status: PullResult['status'],
    extra: { reason?: StopReason; resumeAfter?: string; error?: Error } = {},
  ): PullResult {
    return {
      source: this.source.source,
      pullId: pull.id,
      status,
      ...(extra.reason === undefined ? {} : { stopReason: extra.reason }),
      ...(extra.resumeAfter === undefined ? {} : { resumeAfter: extra.resumeAfter }),
      ...(extra.error === undefined ? {} : { error: extra.error }),
      ...this.counters,
      pagesByEndpoint: { ...this.pagesByEndpoint },
      pendingTasks: status === 'complete' ? 0 : pull.tasks.length,
    };
  }

  private log(message: string, details: Record<string, unknown>): void {
    this.deps.log?.(message, { source: this.source.source, ...details });
  }
}
