import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { ConnectorConfig } from '../../../lib/core/connectors/connector-config.ts';
import { type PullDeps, type PullResult, pullSource } from '../../../lib/core/connectors/pull.ts';
import { StaticSecretSource } from '../../../lib/core/connectors/secrets.ts';
import { apiSourceSchema } from '../../../lib/core/model/api-source-schema.ts';
import type { ControlStore } from '../../../lib/core/ports.ts';
import { FileControlStore } from '../../../lib/engines/local/file-control-store.ts';
import { FolderObjectStore } from '../../../lib/engines/local/folder-object-store.ts';

/** A request as the test server saw it. */
export interface SeenRequest {
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
}

export type Reply =
  | { readonly status?: number; readonly headers?: Record<string, string>; readonly body: unknown }
  | { readonly status?: number; readonly headers?: Record<string, string>; readonly raw: string }
  /** Drop the connection without answering. */
  | 'reset'
  /** Never answer (the socket is closed when the server stops). */
  | 'hang';

export interface TestServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly requests: SeenRequest[];
  close(): Promise<void>;
}

/** A real HTTP server on loopback with an ephemeral port; `handle` decides every answer. */
export async function startServer(handle: (request: SeenRequest, server: TestServer) => Reply): Promise<TestServer> {
  const requests: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const seen: SeenRequest = { path: url.pathname, query: url.searchParams, headers: req.headers };
    requests.push(seen);
    const reply = handle(seen, testServer);
    if (reply === 'hang') return;
    if (reply === 'reset') {
      req.socket.destroy();
      return;
    }
    const text = 'raw' in reply ? reply.raw : JSON.stringify(reply.body);
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
    res.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const testServer: TestServer = {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  after(() => testServer.close());
  return testServer;
}

/** A clock frozen at `start` whose sleeps return at once and are recorded. */
export function fakeClock(start = '2024-01-15T09:30:00.000Z') {
  let now = new Date(start);
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    set(at: string) {
      now = new Date(at);
    },
  };
}

/** A source config as its file would hold it (parsed by the real schema), with test-friendly limits. */
export function testSource(fields: Record<string, unknown>): ConnectorConfig {
  const source = apiSourceSchema.parse({
    source: 'testapi',
    base_url: 'https://api.example.test/v1',
    auth: { type: 'bearer', token: 'TESTAPI_TOKEN' },
    request_timeout_ms: 2000,
    retry: { max_attempts: 3, base_delay_ms: 100, max_delay_ms: 1000 },
    ...fields,
  });
  const locations = Object.fromEntries(source.endpoints.map((e) => [e.raw_table, `testapi/${e.raw_table}`]));
  return { source, locations, compression: {} };
}

/** Real temp folders standing for the raw bucket and the control table. */
export async function localPorts() {
  const dir = await mkdtemp(join(tmpdir(), 'dap-connector-'));
  after(() => rm(dir, { recursive: true, force: true }));
  return {
    dir,
    store: new FolderObjectStore(dir),
    control: new FileControlStore(join(dir, 'control')),
    rawBucket: 'raw',
  };
}

export type Ports = Awaited<ReturnType<typeof localPorts>>;

export async function pull(
  connector: ConnectorConfig,
  server: TestServer,
  ports: Pick<Ports, 'store' | 'rawBucket'> & { readonly control: ControlStore },
  extra: Partial<PullDeps> = {},
  options: { readonly restart?: boolean } = {},
): Promise<PullResult> {
  return pullSource(
    connector,
    {
      store: ports.store,
      control: ports.control,
      rawBucket: ports.rawBucket,
      secrets: new StaticSecretSource({ TESTAPI_TOKEN: 'secret-token' }),
      clock: fakeClock(),
      ...extra,
    },
    { baseUrl: `${server.url}/v1`, ...options },
  );
}

/** Every raw object: key → its records (request metadata and record), in key order. */
export async function rawObjects(ports: Ports): Promise<Map<string, Record<string, unknown>[]>> {
  const root = join(ports.dir, ports.rawBucket);
  const objects = new Map<string, Record<string, unknown>[]>();
  let entries: string[] = [];
  try {
    entries = (await readdir(root, { recursive: true })) as string[];
  } catch {
    return objects;
  }
  for (const entry of entries.filter((e) => e.endsWith('.json') || e.endsWith('.json.gz')).sort()) {
    const bytes = await readFile(join(root, entry));
    const text = (entry.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
    objects.set(
      entry.split('\\').join('/'),
      text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    );
  }
  return objects;
}

/** The records of every raw object, in key order, as the API sent them. */
export async function rawRecords(ports: Ports): Promise<unknown[]> {
  return [...(await rawObjects(ports)).values()].flat().map((line) => line.record);
}

/** Items `[first, last]` of a list, for page bodies. */
export function items(first: number, last: number, prefix = 'r'): { id: string; name: string }[] {
  const out: { id: string; name: string }[] = [];
  for (let i = first; i <= last; i++) out.push({ id: `${prefix}${i}`, name: `item ${i}` });
  return out;
}
