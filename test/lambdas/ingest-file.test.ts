import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { Logger } from '@aws-lambda-powertools/logger';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler, keyCandidates, makeHandler } from '../../lambdas/ingest-file/handler.ts';
import { loadDeployedProject } from '../../lib/check/deployed.ts';
import { IngestFailedError } from '../../lib/core/ingest/ingest-file.ts';
import { type LedgerEntry, ledgerKey } from '../../lib/core/ingest/report.ts';
import { InvalidEventError } from '../../lib/core/lambda-event.ts';
import { S3ObjectStore } from '../../lib/engines/aws/s3-object-store.ts';
import { FileControlStore } from '../../lib/engines/local/file-control-store.ts';
import { CORPUS_DIR, ingestProjectFiles, T0 } from '../core/ingest/harness.ts';

/** S3 mocked at the SDK boundary by a small in-memory bucket store that honours IfMatch and CopySourceIfMatch. */

const BUCKETS = {
  landing: 'dev-dap-landing',
  raw: 'dev-dap-raw',
  archive: 'dev-dap-archive',
  quarantine: 'dev-dap-quarantine',
};
const METADATA = 'dev-dap-elt-metadata';
const silent = new Logger({ logLevel: 'SILENT' });

interface StoredObject {
  readonly body: Uint8Array;
  readonly etag: string;
}

const s3 = mockClient(S3Client);
let objects: Map<string, StoredObject>;
let dataDir: string;
let interfere: ((command: string, input: Record<string, unknown>) => void) | undefined;

const id = (bucket: string, key: string) => `${bucket}\u0000${key}`;
const etagOf = (body: Uint8Array) => `"${createHash('md5').update(body).digest('hex')}"`;

function putObject(bucket: string, key: string, body: string | Uint8Array): void {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  objects.set(id(bucket, key), { body: bytes, etag: etagOf(bytes) });
}

function keysOf(bucket: string): string[] {
  return [...objects.keys()]
    .filter((k) => k.startsWith(`${bucket}\u0000`))
    .map((k) => k.slice(bucket.length + 1))
    .sort();
}

const preconditionFailed = () =>
  new S3ServiceException({
    name: 'PreconditionFailed',
    $fault: 'client',
    $metadata: { httpStatusCode: 412 },
    message: 'At least one of the pre-conditions you specified did not hold',
  });

function installFakeS3(): void {
  s3.reset();
  s3.on(GetObjectCommand).callsFake((input: { Bucket: string; Key: string; IfMatch?: string; Range?: string }) => {
    interfere?.('GetObject', input);
    const object = objects.get(id(input.Bucket, input.Key));
    if (!object) throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} });
    if (input.IfMatch !== undefined && input.IfMatch !== object.etag) throw preconditionFailed();
    // S3's `Range: bytes=first-last` (inclusive), answered with the part and `Content-Range: bytes first-last/size`.
    const range = input.Range === undefined ? undefined : /^bytes=(\d+)-(\d+)$/.exec(input.Range);
    const first = range ? Number(range[1]) : 0;
    const last = range ? Math.min(Number(range[2]), object.body.byteLength - 1) : object.body.byteLength - 1;
    const part = object.body.subarray(first, last + 1);
    const body = Object.assign(Readable.from([Buffer.from(part)]), { transformToByteArray: async () => part });
    return {
      Body: body,
      ETag: object.etag,
      ContentLength: part.byteLength,
      ...(range ? { ContentRange: `bytes ${first}-${last}/${object.body.byteLength}` } : {}),
    };
  });
  s3.on(PutObjectCommand).callsFake((input: { Bucket: string; Key: string; Body: string | Uint8Array }) => {
    putObject(input.Bucket, input.Key, input.Body);
    return {};
  });
  s3.on(ListObjectsV2Command).callsFake((input: { Bucket: string; Prefix?: string }) => ({
    Contents: keysOf(input.Bucket)
      .filter((k) => k.startsWith(input.Prefix ?? ''))
      .map((Key) => ({ Key })),
    IsTruncated: false,
  }));
  s3.on(DeleteObjectCommand).callsFake((input: { Bucket: string; Key: string }) => {
    objects.delete(id(input.Bucket, input.Key));
    return {};
  });
  s3.on(CopyObjectCommand).callsFake(
    (input: { Bucket: string; Key: string; CopySource: string; CopySourceIfMatch?: string }) => {
      const slash = input.CopySource.indexOf('/');
      const bucket = input.CopySource.slice(0, slash);
      const key = input.CopySource.slice(slash + 1)
        .split('/')
        .map(decodeURIComponent)
        .join('/');
      const source = objects.get(id(bucket, key));
      if (!source) throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} });
      if (input.CopySourceIfMatch !== undefined && input.CopySourceIfMatch !== source.etag) throw preconditionFailed();
      objects.set(id(input.Bucket, input.Key), source);
      return {};
    },
  );
}

function objectCreated(key: string, bucket = BUCKETS.landing) {
  return {
    version: '0',
    id: 'c9888434-815d-c6f4-9fc2-4dd7bdeccaaf',
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '111111111111',
    time: '2026-11-16T10:00:00Z',
    region: 'eu-west-2',
    resources: [`arn:aws:s3:::${bucket}`],
    detail: {
      version: '0',
      bucket: { name: bucket },
      object: { key, size: 100, etag: 'x' },
      'request-id': 'R',
      requester: '111111111111',
      reason: 'PutObject',
    },
  };
}

let metricLines: string[];

function ingestLambda() {
  const store = new S3ObjectStore(new S3Client({ region: 'eu-west-2' }));
  let runs = 0;
  return makeHandler({
    metrics: { environment: 'dev', emit: (line) => metricLines.push(line) },
    buckets: BUCKETS,
    store,
    control: new FileControlStore(dataDir),
    project: () => loadDeployedProject(store, METADATA),
    now: () => T0,
    newRunId: () => `lambda-run-${++runs}`,
    logger: silent,
  });
}

beforeEach(() => {
  metricLines = [];
  objects = new Map();
  interfere = undefined;
  dataDir = mkdtempSync(join(tmpdir(), 'dap-ingest-lambda-'));
  installFakeS3();
  // The stack deploys config/, athena-scripts/ and redshift-scripts/ to the metadata bucket; the Lambda reads them there.
  for (const [path, text] of Object.entries(ingestProjectFiles())) putObject(METADATA, path, text);
});

afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

const valid = () => readFileSync(join(CORPUS_DIR, 'valid.csv'));

describe('ingest-file Lambda (S3 mocked at the SDK boundary)', () => {
  test('an Object Created event loads the file: rows in raw, original archived, landing emptied', async () => {
    // Prepare
    putObject(BUCKETS.landing, 'landing/people/valid.csv', valid());
    const hash = createHash('sha256').update(valid()).digest('hex');

    // Act
    const summary = await ingestLambda()(objectCreated('landing/people/valid.csv'));

    // Assess
    assert.equal(summary.outcome, 'loaded');
    assert.deepEqual(summary.rows, { read: 3, loaded: 3, rejected: 0, invalid: 0, blank: 0, duplicate: 0 });
    assert.deepEqual(keysOf(BUCKETS.landing), []);
    assert.deepEqual(keysOf(BUCKETS.raw), [`files/people/ingest_date=2026-11-16/${hash}-00000.json.gz`]);
    assert.deepEqual(keysOf(BUCKETS.archive), [
      `people/2026-11-16/${hash}/report.json`,
      `people/2026-11-16/${hash}/valid.csv`,
    ]);
    const rawText = gunzipSync(
      objects.get(id(BUCKETS.raw, keysOf(BUCKETS.raw)[0] ?? ''))?.body ?? new Uint8Array(),
    ).toString();
    assert.equal(rawText.trim().split('\n').length, 3);
    const copies = s3.commandCalls(CopyObjectCommand).map((call) => call.args[0].input);
    const archived = copies.find((input) => input.Bucket === BUCKETS.archive);
    assert.equal(archived?.CopySourceIfMatch, etagOf(valid()), 'the original is copied only if unchanged');
    const gets = s3.commandCalls(GetObjectCommand).filter((c) => c.args[0].input.Bucket === BUCKETS.landing);
    assert.equal(gets[1]?.args[0].input.IfMatch, etagOf(valid()), 'the parse reads the version that was hashed');
  });

  test('a workbook is read by ranged GETs of the hashed version, one per part it needs', async () => {
    // Prepare
    const workbook = readFileSync(join(CORPUS_DIR, 'valid.xlsx'));
    putObject(BUCKETS.landing, 'landing/people_xlsx/valid.xlsx', workbook);

    // Act
    const summary = await ingestLambda()(objectCreated('landing/people_xlsx/valid.xlsx'));

    // Assess
    assert.equal(summary.outcome, 'loaded');
    assert.equal(summary.rows.loaded, 2);
    const gets = s3
      .commandCalls(GetObjectCommand)
      .map((c) => c.args[0].input)
      .filter((input) => input.Bucket === BUCKETS.landing);
    assert.equal(gets[0]?.Range, undefined, 'the hashing pass reads the whole file once');
    const ranged = gets.slice(1);
    assert.ok(ranged.length >= 3, 'workbook, relationships, styles, strings and the sheet, each its own range');
    for (const input of ranged) {
      assert.match(input.Range ?? '', /^bytes=\d+-\d+$/);
      assert.equal(input.IfMatch, etagOf(workbook), 'every part comes from the version that was hashed');
    }
  });

  test('a key with "../" is quarantined as unsafe, original kept, nothing loaded', async () => {
    // Prepare
    const key = 'landing/people/../../secrets/valid.csv';
    putObject(BUCKETS.landing, key, valid());

    // Act
    const summary = await ingestLambda()(objectCreated(key));

    // Assess
    assert.equal(summary.outcome, 'quarantined');
    assert.equal(
      summary.reason,
      'unsafe object key "landing/people/../../secrets/valid.csv": it contains a "." or ".." path segment',
    );
    assert.deepEqual(keysOf(BUCKETS.raw), []);
    assert.deepEqual(keysOf(BUCKETS.landing), []);
    const quarantined = keysOf(BUCKETS.quarantine);
    assert.equal(quarantined.length, 2);
    assert.ok(quarantined.every((k) => k.startsWith('_unrouted/2026-11-16/')));
    assert.ok(quarantined.some((k) => k.endsWith('/valid.csv')));
    assert.equal(metricLines.length, 1, 'one quarantine metric for the monitoring alarm');
    const metric = JSON.parse(metricLines[0] ?? '{}');
    assert.deepEqual(metric._aws.CloudWatchMetrics, [
      { Namespace: 'dap', Dimensions: [['Environment']], Metrics: [{ Name: 'IngestQuarantinedFiles', Unit: 'Count' }] },
    ]);
    assert.equal(metric.Environment, 'dev');
    assert.equal(metric.IngestQuarantinedFiles, 1);
  });

  test('a URL-encoded key in the event finds the object by its decoded name', async () => {
    // Prepare
    putObject(BUCKETS.landing, 'landing/people/odd name (1).csv', valid());

    // Act
    const summary = await ingestLambda()(objectCreated('landing/people/odd+name+%281%29.csv'));

    // Assess
    assert.equal(summary.outcome, 'loaded');
    assert.equal(summary.key, 'landing/people/odd name (1).csv');
    assert.deepEqual(keyCandidates('landing/a+b.csv'), ['landing/a+b.csv', 'landing/a b.csv']);
  });

  test('a redelivered event for a file already moved reports it missing, without failing', async () => {
    // Prepare
    putObject(BUCKETS.landing, 'landing/people/valid.csv', valid());
    const lambda = ingestLambda();
    await lambda(objectCreated('landing/people/valid.csv'));

    // Act
    const again = await lambda(objectCreated('landing/people/valid.csv'));

    // Assess
    assert.equal(again.outcome, 'missing');
    assert.equal(
      again.reason,
      'no such object in the landing bucket (already ingested by an earlier delivery, or removed)',
    );
    assert.equal(keysOf(BUCKETS.raw).length, 1);
  });

  test('a file overwritten while it is ingested fails and rolls back; the new version stays in landing', async () => {
    // Prepare
    putObject(BUCKETS.landing, 'landing/people/valid.csv', valid());
    interfere = (command, input) => {
      if (command === 'GetObject' && input.IfMatch !== undefined) {
        putObject(
          BUCKETS.landing,
          'landing/people/valid.csv',
          `${valid().toString()}P9,Late,late@example.com,01/01/2000,1\n`,
        );
      }
    };
    const hash = createHash('sha256').update(valid()).digest('hex');

    // Act
    const attempt = ingestLambda()(objectCreated('landing/people/valid.csv'));

    // Assess
    await assert.rejects(attempt, (error: unknown) => {
      assert.ok(error instanceof IngestFailedError);
      assert.match(error.message, /changed while it was being ingested/);
      return true;
    });
    assert.deepEqual(keysOf(BUCKETS.landing), ['landing/people/valid.csv']);
    assert.deepEqual(keysOf(BUCKETS.raw), []);
    const ledger = await new FileControlStore(dataDir).get<LedgerEntry>(ledgerKey(hash));
    assert.equal(ledger?.value.status, 'failed');
  });

  test('an event that is not an Object Created event for the landing bucket is refused, naming the field', async () => {
    // Prepare
    const lambda = ingestLambda();

    // Act + Assess
    await assert.rejects(
      lambda({ source: 'aws.s3', 'detail-type': 'Object Deleted', detail: {} }),
      (error: unknown) => {
        assert.ok(error instanceof InvalidEventError);
        assert.ok(
          error.message.startsWith(
            'ingest-file event is invalid: detail-type: Invalid input: expected "Object Created"; ' +
              'detail.bucket: Invalid input: expected object, received undefined',
          ),
          error.message,
        );
        assert.ok(error.cause !== undefined, 'the zod error travels as cause');
        return true;
      },
    );
    await assert.rejects(lambda(objectCreated('landing/people/valid.csv', 'someone-elses-bucket')), {
      name: 'InvalidEventError',
      message:
        'ingest-file event is invalid: detail.bucket.name: expected the landing bucket "dev-dap-landing", got "someone-elses-bucket"',
    });
    assert.equal(s3.calls().length, 0, 'a refused event reads nothing, not even the config');
  });

  test('the Lambda entry names a missing variable by the name the stack sets', async () => {
    // Prepare
    const variables = ['DAP_ENV', 'METADATA_BUCKET', 'LANDING_BUCKET'] as const;
    const saved = variables.map((variable) => [variable, process.env[variable]] as const);
    Object.assign(process.env, { DAP_ENV: 'dev', METADATA_BUCKET: METADATA });
    delete process.env.LANDING_BUCKET;

    try {
      // Act
      const attempt = handler(objectCreated('landing/people/valid.csv'), {} as Context);

      // Assess
      await assert.rejects(attempt, { name: 'MissingEnvironmentVariableError', message: /LANDING_BUCKET/ });
      assert.equal(s3.calls().length, 0);
    } finally {
      for (const [variable, value] of saved) {
        if (value === undefined) delete process.env[variable];
        else process.env[variable] = value;
      }
    }
  });
});
