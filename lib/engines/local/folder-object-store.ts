import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import {
  ObjectChangedError,
  type ObjectHandle,
  type ObjectLister,
  type ObjectStore,
  type OpenOptions,
  type StoredObject,
} from '../../core/ports.ts';

export class UnsafeObjectKeyError extends Error {
  constructor(
    readonly bucket: string,
    readonly key: string,
  ) {
    super(`object key "${key}" in bucket "${bucket}" would leave the bucket folder (absolute path or "..")`);
    this.name = 'UnsafeObjectKeyError';
  }
}

/** S3 stand-in: `<root>/<bucket>/<key>`, with the same keys as in S3. */
export class FolderObjectStore implements ObjectStore, ObjectLister {
  constructor(readonly root: string) {}

  /** The file that holds an object; throws for keys that would escape the bucket's folder. */
  pathOf(bucket: string, key: string): string {
    const bucketDir = resolve(this.root, bucket);
    const path = resolve(bucketDir, key);
    if (key.startsWith('/') || !path.startsWith(bucketDir + sep)) throw new UnsafeObjectKeyError(bucket, key);
    return path;
  }

  async put(bucket: string, key: string, body: string | Uint8Array): Promise<void> {
    const path = this.pathOf(bucket, key);
    await mkdir(dirname(path), { recursive: true });
    // Write then rename, so a reader never sees half an object (S3 puts are atomic too).
    const temporary = `${path}.${process.pid}.partial`;
    await writeFile(temporary, body);
    await rename(temporary, path);
  }

  async get(bucket: string, key: string): Promise<Uint8Array | undefined> {
    try {
      return await readFile(this.pathOf(bucket, key));
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async list(bucket: string, prefix: string): Promise<string[]> {
    return (await this.listObjects(bucket, prefix)).map((o) => o.key);
  }

  /** Walks only the folder the prefix names (`raw/txma/auth_` walks `raw/txma/`), never the whole bucket. */
  async listObjects(bucket: string, prefix: string): Promise<StoredObject[]> {
    const bucketDir = resolve(this.root, bucket);
    const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    const startDir = folder === '' ? bucketDir : this.pathOf(bucket, folder);
    let entries: string[];
    try {
      entries = await readdir(startDir, { recursive: true });
    } catch (error) {
      if (error instanceof Error && 'code' in error && (error.code === 'ENOENT' || error.code === 'ENOTDIR')) return [];
      throw error;
    }
    const objects: StoredObject[] = [];
    for (const entry of entries) {
      const key = relative(bucketDir, join(startDir, entry)).split(sep).join('/');
      if (!key.startsWith(prefix) || key.endsWith('.partial')) continue;
      const info = await stat(join(startDir, entry));
      if (info.isFile()) objects.push({ key, size: info.size, lastModified: info.mtime });
    }
    return objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(bucket: string, key: string): Promise<void> {
    await rm(this.pathOf(bucket, key), { force: true });
  }

  /** Streams the file (`createReadStream`); its etag is its size and modification time. */
  async open(bucket: string, key: string, options: OpenOptions = {}): Promise<ObjectHandle | undefined> {
    const path = this.pathOf(bucket, key);
    const etag = await etagOf(path);
    if (etag === undefined) return undefined;
    if (options.ifMatch !== undefined && options.ifMatch !== etag) throw new ObjectChangedError(bucket, key);
    const { size } = await stat(path);
    const range = options.range;
    const bounds = range === undefined ? {} : { start: range.start, end: range.end - 1 };
    return { body: createReadStream(path, { highWaterMark: 256 * 1024, ...bounds }), etag, size };
  }

  async copy(
    from: { bucket: string; key: string; ifMatch?: string },
    to: { bucket: string; key: string },
  ): Promise<void> {
    const source = this.pathOf(from.bucket, from.key);
    if (from.ifMatch !== undefined && (await etagOf(source)) !== from.ifMatch) {
      throw new ObjectChangedError(from.bucket, from.key);
    }
    const target = this.pathOf(to.bucket, to.key);
    await mkdir(dirname(target), { recursive: true });
    const temporary = `${target}.${process.pid}.partial`;
    await copyFile(source, temporary);
    await rename(temporary, target);
  }
}

async function etagOf(path: string): Promise<string | undefined> {
  try {
    const info = await stat(path);
    return info.isFile() ? `${info.size}-${info.mtimeMs}` : undefined;
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return undefined;
    throw error;
  }
}
