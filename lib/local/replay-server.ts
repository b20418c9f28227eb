import { readdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * Serves recorded API responses on loopback so a pull runs end to end with no account and no network. Samples live
 * in `samples/apis/<source>/*.json`, one exchange per file; the server answers `/<source><path>` with the sample
 * whose path matches and whose query parameters are all present in the request (the most specific one wins), so
 * extra parameters such as a changed-since value do not stop a sample from matching. `{{base_url}}` in a body
 * becomes the source's address on this server, for next links.
 */

export const replaySampleSchema = z.strictObject({
  request: z.strictObject({
    path: z.string().startsWith('/'),
    query: z.record(z.string(), z.string()).default({}),
  }),
  response: z.strictObject({
    status: z.number().int().default(200),
    headers: z.record(z.string(), z.string()).default({}),
    body: z.unknown(),
  }),
});
export type ReplaySample = z.infer<typeof replaySampleSchema>;

export class InvalidReplaySampleError extends Error {
  constructor(
    readonly file: string,
    options: { cause?: unknown },
  ) {
    super(`replay sample ${file} is not {request: {path, query?}, response: {status?, headers?, body}}`, options);
    this.name = 'InvalidReplaySampleError';
  }
}

export interface ReplayServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The base URL to pull `source` from. */
  baseUrlOf(source: string): string;
  /** Requests answered with no matching sample, as `<source> <path>?<query>`. */
  readonly unmatched: string[];
  close(): Promise<void>;
}

/** Every sample of a source, in file-name order. */
export async function loadReplaySamples(samplesDir: string, source: string): Promise<ReplaySample[]> {
  const dir = join(samplesDir, source);
  const names = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
  const samples: ReplaySample[] = [];
  for (const name of names) {
    const file = join(dir, name);
    try {
      samples.push(replaySampleSchema.parse(JSON.parse(await readFile(file, 'utf8'))));
    } catch (error) {
      throw new InvalidReplaySampleError(file, { cause: error });
    }
  }
  return samples;
}

/** The sample for a request: same path, every sample parameter present with its value, most parameters first. */
export function matchSample(
  samples: readonly ReplaySample[],
  path: string,
  query: URLSearchParams,
): ReplaySample | undefined {
  let best: ReplaySample | undefined;
  for (const sample of samples) {
    if (sample.request.path !== path) continue;
    const params = Object.entries(sample.request.query);
    if (!params.every(([name, value]) => query.get(name) === value)) continue;
    if (!best || params.length > Object.keys(best.request.query).length) best = sample;
  }
  return best;
}

/** Starts the server on 127.0.0.1 with an ephemeral port. */
export async function startReplayServer(
  samplesBySource: ReadonlyMap<string, readonly ReplaySample[]>,
): Promise<ReplayServer> {
  const unmatched: string[] = [];
  let url = '';
  const server: Server = createServer((req, res) => {
    const requestUrl = new URL(req.url ?? '/', 'http://127.0.0.1');
    const [, source = '', ...rest] = requestUrl.pathname.split('/');
    const path = `/${rest.join('/')}`;
    const sample = matchSample(samplesBySource.get(source) ?? [], path, requestUrl.searchParams);
    if (!sample) {
      unmatched.push(`${source} ${path}${requestUrl.search}`);
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'NOT_FOUND', error_description: `no replay sample for ${source} ${path}` }));
      return;
    }
    const body = JSON.stringify(sample.response.body).replaceAll('{{base_url}}', `${url}/${source}`);
    res.writeHead(sample.response.status, { 'content-type': 'application/json', ...sample.response.headers });
    res.end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  url = `http://127.0.0.1:${port}`;
  return {
    url,
    baseUrlOf: (source) => `${url}/${source}`,
    unmatched,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
