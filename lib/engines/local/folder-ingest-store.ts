import { createReadStream } from 'node:fs';
import { copyFile, mkdir, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type IngestStore, ObjectChangedError, type ObjectHandle } from '../../core/ingest/ports.ts';
import type { ObjectStore } from '../ports.ts';
import type { FolderObjectStore } from './folder-object-store.ts';

/**
 * `IngestStore` over the local twin's bucket folders: streams with `fs.createReadStream`, copies with `copyFile`.
 * (It belongs beside `FolderObjectStore` in `lib/engines/local/`; it lives here until that folder is free to edit.)
 */
export class FolderIngestStore implements IngestStore {
  constructor(readonly folders: FolderObjectStore) {}

  put(...args: Parameters<ObjectStore['put']>) {
    return this.folders.put(...args);
  }

  get(...args: Parameters<ObjectStore['get']>) {
    return this.folders.get(...args);
  }

  list(...args: Parameters<ObjectStore['list']>) {
    return this.folders.list(...args);
  }

  delete(...args: Parameters<ObjectStore['delete']>) {
    return this.folders.delete(...args);
  }

  async open(bucket: string, key: string, options: { ifMatch?: string } = {}): Promise<ObjectHandle | undefined> {
    const path = this.folders.pathOf(bucket, key);
    const etag = await this.etagOf(path);
    if (etag === undefined) return undefined;
    if (options.ifMatch !== undefined && options.ifMatch !== etag) throw new ObjectChangedError(bucket, key);
    const { size } = await stat(path);
    return { body: createReadStream(path, { highWaterMark: 256 * 1024 }), etag, size };
  }

  async copy(
    from: { bucket: string; key: string; ifMatch?: string },
    to: { bucket: string; key: string },
  ): Promise<void> {
    const source = this.folders.pathOf(from.bucket, from.key);
    if (from.ifMatch !== undefined && (await this.etagOf(source)) !== from.ifMatch) {
      throw new ObjectChangedError(from.bucket, from.key);
    }
    const target = this.folders.pathOf(to.bucket, to.key);
    await mkdir(dirname(target), { recursive: true });
    const temporary = `${target}.${process.pid}.partial`;
    await copyFile(source, temporary);
    await rename(temporary, target);
  }

  private async etagOf(path: string): Promise<string | undefined> {
    try {
      const info = await stat(path);
      return info.isFile() ? `${info.size}-${info.mtimeMs}` : undefined;
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return undefined;
      throw error;
    }
  }
}
