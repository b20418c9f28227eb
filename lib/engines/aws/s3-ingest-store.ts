import { CopyObjectCommand, GetObjectCommand, NoSuchKey, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { type IngestStore, ObjectChangedError, type ObjectHandle } from '../../core/ingest/ports.ts';
import type { ObjectStore } from '../ports.ts';
import { S3ObjectStore } from './s3-object-store.ts';

/**
 * `IngestStore` on S3: GetObject's body is streamed (never buffered whole) and `IfMatch` pins the version that was
 * hashed; copies are server-side CopyObject calls (objects up to 5 GB). (It belongs beside `S3ObjectStore` in
 * `lib/engines/aws/`; it lives with its only user until that folder is free to edit.)
 */
export class S3IngestStore implements IngestStore {
  private readonly objects: S3ObjectStore;

  constructor(private readonly client: S3Client = new S3Client({})) {
    this.objects = new S3ObjectStore(client);
  }

  put(...args: Parameters<ObjectStore['put']>) {
    return this.objects.put(...args);
  }

  get(...args: Parameters<ObjectStore['get']>) {
    return this.objects.get(...args);
  }

  list(...args: Parameters<ObjectStore['list']>) {
    return this.objects.list(...args);
  }

  delete(...args: Parameters<ObjectStore['delete']>) {
    return this.objects.delete(...args);
  }

  async open(bucket: string, key: string, options: { ifMatch?: string } = {}): Promise<ObjectHandle | undefined> {
    try {
      const response = await this.client.send(
        new GetObjectCommand({ Bucket: bucket, Key: key, ...(options.ifMatch ? { IfMatch: options.ifMatch } : {}) }),
      );
      const body = response.Body as unknown as AsyncIterable<Uint8Array> | undefined;
      return {
        body: body ?? emptyBody(),
        etag: response.ETag ?? '',
        size: response.ContentLength ?? 0,
      };
    } catch (error) {
      if (error instanceof NoSuchKey) return undefined;
      if (isPreconditionFailed(error)) throw new ObjectChangedError(bucket, key, { cause: error });
      throw error;
    }
  }

  async copy(
    from: { bucket: string; key: string; ifMatch?: string },
    to: { bucket: string; key: string },
  ): Promise<void> {
    try {
      await this.client.send(
        new CopyObjectCommand({
          Bucket: to.bucket,
          Key: to.key,
          CopySource: `${from.bucket}/${from.key.split('/').map(encodeURIComponent).join('/')}`,
          ...(from.ifMatch ? { CopySourceIfMatch: from.ifMatch } : {}),
        }),
      );
    } catch (error) {
      if (isPreconditionFailed(error)) throw new ObjectChangedError(from.bucket, from.key, { cause: error });
      throw error;
    }
  }
}

function isPreconditionFailed(error: unknown): boolean {
  return (
    error instanceof S3ServiceException &&
    (error.name === 'PreconditionFailed' || error.$metadata?.httpStatusCode === 412)
  );
}

async function* emptyBody(): AsyncIterable<Uint8Array> {}
