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
import {
  ObjectChangedError,
  type ObjectHandle,
  type ObjectLister,
  type ObjectStore,
  type OpenOptions,
  type StoredObject,
} from '../../core/ports.ts';

export class S3ObjectStore implements ObjectStore, ObjectLister {
  constructor(private readonly client: S3Client = new S3Client({})) {}

  async put(bucket: string, key: string, body: string | Uint8Array): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  }

  async get(bucket: string, key: string): Promise<Uint8Array | undefined> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return response.Body ? await response.Body.transformToByteArray() : new Uint8Array();
    } catch (error) {
      if (error instanceof NoSuchKey) return undefined;
      throw error;
    }
  }

  async list(bucket: string, prefix: string): Promise<string[]> {
    return (await this.listObjects(bucket, prefix)).map((o) => o.key);
  }

  async listObjects(bucket: string, prefix: string): Promise<StoredObject[]> {
    const objects: StoredObject[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        objects.push({ key: object.Key, size: object.Size ?? 0, lastModified: object.LastModified ?? new Date(0) });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(bucket: string, key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  }

  /** GetObject's body, streamed (never buffered whole); `IfMatch` pins the version seen before. */
  async open(bucket: string, key: string, options: OpenOptions = {}): Promise<ObjectHandle | undefined> {
    const { ifMatch, range } = options;
    try {
      const response = await this.client.send(
        new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          ...(ifMatch ? { IfMatch: ifMatch } : {}),
          ...(range ? { Range: `bytes=${range.start}-${range.end - 1}` } : {}),
        }),
      );
      const body = response.Body as unknown as AsyncIterable<Uint8Array> | undefined;
      return {
        body: body ?? emptyBody(),
        etag: response.ETag ?? '',
        size: range ? sizeOfRanged(response.ContentRange, response.ContentLength) : (response.ContentLength ?? 0),
      };
    } catch (error) {
      if (error instanceof NoSuchKey) return undefined;
      if (isPreconditionFailed(error)) throw new ObjectChangedError(bucket, key, { cause: error });
      throw error;
    }
  }

  /** A server-side CopyObject (objects up to 5 GB). */
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

/** The object's whole size from a ranged response's `Content-Range: bytes 0-9/1234`. */
function sizeOfRanged(contentRange: string | undefined, contentLength: number | undefined): number {
  const total = contentRange === undefined ? undefined : /\/(\d+)$/.exec(contentRange)?.[1];
  return total === undefined ? (contentLength ?? 0) : Number(total);
}
