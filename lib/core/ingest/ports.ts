import type { ObjectStore } from '../../engines/ports.ts';

/**
 * What ingestion needs from object storage beyond `ObjectStore`: reading an object as a stream (files may be far
 * larger than memory) and copying one without passing its bytes through the process. Both take the version seen
 * earlier (`ifMatch`), so a file overwritten while it is ingested is noticed instead of half-read.
 */
export interface ObjectHandle {
  readonly body: AsyncIterable<Uint8Array>;
  /** Changes whenever the object's content does (S3 ETag; size and mtime locally). */
  readonly etag: string;
  readonly size: number;
}

export interface IngestStore extends ObjectStore {
  /** The object as a stream, or undefined when there is no such key. Throws `ObjectChangedError` on `ifMatch`. */
  open(bucket: string, key: string, options?: { readonly ifMatch?: string }): Promise<ObjectHandle | undefined>;
  /** Server-side copy; throws `ObjectChangedError` when `ifMatch` no longer holds. */
  copy(
    from: { readonly bucket: string; readonly key: string; readonly ifMatch?: string },
    to: { readonly bucket: string; readonly key: string },
  ): Promise<void>;
}

export class ObjectChangedError extends Error {
  constructor(
    readonly bucket: string,
    readonly key: string,
    options?: { cause?: unknown },
  ) {
    super(
      `object ${bucket}/${key} changed while it was being ingested; it will be ingested again as a new drop`,
      options,
    );
    this.name = 'ObjectChangedError';
  }
}
