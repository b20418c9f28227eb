import { createHash, randomUUID } from 'node:crypto';
import type { Stats } from 'node:fs';
import { link, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ControlStore, Lease, LeaseAttempt, VersionedValue } from '../../core/ports.ts';
import { decideAcquire, decideRenew, expiryEpochSeconds, VersionConflictError } from '../../core/run-guard.ts';
import { processAlive } from './local-lock.ts';

export interface FileControlStoreOptions {
  /** Sub-folder standing for the DynamoDB table. @default 'control' */
  readonly table?: string;
  /**
   * A lock file older than this was left by a writer that crashed inside its few-millisecond critical section, and
   * is broken. @default 30_000
   */
  readonly staleLockMs?: number;
  /** How long a write waits for another writer's lock before giving up. @default 10_000 */
  readonly lockTimeoutMs?: number;
  /**
   * Called when a lease is taken over at once because the process that holds it is gone (locally a lease records
   * its holder's pid; a Ctrl-C'd or killed command leaves its lease behind). @default nothing is said
   */
  readonly onTakeover?: (lease: Lease, pid: number) => void;
}

export class ControlLockTimeoutError extends Error {
  constructor(
    readonly lockPath: string,
    readonly waitedMs: number,
    options?: { cause?: unknown },
  ) {
    super(`gave up after ${waitedMs} ms waiting for control lock ${lockPath} (another writer holds it)`, options);
    this.name = 'ControlLockTimeoutError';
  }
}

export class CorruptControlFileError extends Error {
  constructor(
    readonly path: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`control file ${path} is not a valid control item: ${reason}`, options);
    this.name = 'CorruptControlFileError';
  }
}

/** The lease file: the same attributes as the DynamoDB item, so the two are easy to compare. */
interface LeaseRecord {
  readonly name: string;
  readonly holder: string;
  readonly acquired_at: string;
  readonly renewed_at: string;
  readonly expires_at: string;
  readonly expires_at_epoch: number;
  /** The local process that holds it (not in the DynamoDB item: there, only the expiry frees a lease). */
  readonly holder_pid?: number;
}

interface ValueRecord {
  readonly key: string;
  readonly value: unknown;
  readonly version: number;
}

const SAFE_NAME_LIMIT = 180;

/**
 * A key as a file name that cannot leave its folder or collide with another key: lower-case letters, digits, `_`
 * and `-` stay, everything else (`.`, `/`, upper case, so case-insensitive disks such as macOS's cannot merge two
 * keys) becomes `%XX` per UTF-8 byte. Overlong names keep a readable head plus a hash (`~` never appears otherwise).
 */
export function safeFileName(key: string): string {
  if (key === '') throw new RangeError('control keys and lease names must not be empty');
  let encoded = '';
  for (const character of key) {
    if (/^[a-z0-9_-]$/.test(character)) {
      encoded += character;
      continue;
    }
    for (const byte of Buffer.from(character, 'utf8'))
      encoded += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (encoded.length <= SAFE_NAME_LIMIT) return encoded;
  return `${encoded.slice(0, 120)}~${createHash('sha256').update(key).digest('hex')}`;
}

/**
 * DynamoDB stand-in for the control table: one JSON file per item under `<dataDir>/_control/<table>/`. Each
 * read-modify-write runs under an exclusive lock file (`wx`: create only if absent, atomic across processes and
 * async calls alike) and lands by rename, so readers never see half a file and two writers never interleave.
 */
export class FileControlStore implements ControlStore {
  readonly root: string;
  private readonly staleLockMs: number;
  private readonly lockTimeoutMs: number;
  private readonly onTakeover: ((lease: Lease, pid: number) => void) | undefined;

  constructor(dataDir: string, options: FileControlStoreOptions = {}) {
    this.root = join(dataDir, '_control', safeFileName(options.table ?? 'control'));
    this.staleLockMs = options.staleLockMs ?? 30_000;
    this.lockTimeoutMs = options.lockTimeoutMs ?? 10_000;
    this.onTakeover = options.onTakeover;
  }

  /** The pid of the local process holding the lease, where the lease file records one. */
  async leaseHolderPid(name: string): Promise<number | undefined> {
    const pid = (await readJson(this.leasePath(name)))?.holder_pid;
    return typeof pid === 'number' ? pid : undefined;
  }

  leasePath(name: string): string {
    return join(this.root, 'leases', `${safeFileName(name)}.json`);
  }

  valuePath(key: string): string {
    return join(this.root, 'values', `${safeFileName(key)}.json`);
  }

  async acquireLease(name: string, holder: string, now: Date, ttlSeconds: number): Promise<LeaseAttempt> {
    const path = this.leasePath(name);
    return this.withLock(path, async () => {
      const attempt = decideAcquire(await this.liveLease(path), name, holder, now, ttlSeconds);
      if (attempt.acquired) await writeJsonAtomically(path, leaseRecord(attempt.lease));
      return attempt;
    });
  }

  async renewLease(name: string, holder: string, now: Date, ttlSeconds: number): Promise<Lease> {
    const path = this.leasePath(name);
    return this.withLock(path, async () => {
      const lease = decideRenew(await this.readLease(path), name, holder, now, ttlSeconds);
      await writeJsonAtomically(path, leaseRecord(lease));
      return lease;
    });
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    const path = this.leasePath(name);
    await this.withLock(path, async () => {
      // Not ours (taken over after lapsing, or already gone): releasing must never free another run's lease.
      if ((await this.readLease(path))?.holder === holder) await rm(path, { force: true });
    });
  }

  async getLease(name: string): Promise<Lease | undefined> {
    return this.readLease(this.leasePath(name));
  }

  async get<T>(key: string): Promise<VersionedValue<T> | undefined> {
    const record = await this.readValue(this.valuePath(key));
    return record === undefined ? undefined : { value: record.value as T, version: record.version };
  }

  async put<T>(key: string, value: T, expectedVersion: number): Promise<number> {
    if (!Number.isSafeInteger(expectedVersion) || expectedVersion < 0) {
      throw new RangeError(`expected version of "${key}" must be a whole number >= 0, got ${expectedVersion}`);
    }
    const json = JSON.stringify(value);
    if (json === undefined) throw new TypeError(`control value "${key}" has no JSON form (got ${typeof value})`);
    const path = this.valuePath(key);
    return this.withLock(path, async () => {
      const actualVersion = (await this.readValue(path))?.version ?? 0;
      if (actualVersion !== expectedVersion) throw new VersionConflictError(key, expectedVersion, actualVersion);
      const version = expectedVersion + 1;
      await writeJsonAtomically(path, { key, value: JSON.parse(json), version } satisfies ValueRecord);
      return version;
    });
  }

  /** The lease, or undefined when there is none or its holder process is gone (then it is taken over, said once). */
  private async liveLease(path: string): Promise<Lease | undefined> {
    const lease = await this.readLease(path);
    const pid = (await readJson(path))?.holder_pid;
    if (lease === undefined || typeof pid !== 'number' || pid === process.pid || processAlive(pid)) return lease;
    this.onTakeover?.(lease, pid);
    return undefined;
  }

  private async readLease(path: string): Promise<Lease | undefined> {
    const record = await readJson(path);
    if (record === undefined) return undefined;
    const text = (attribute: keyof LeaseRecord): string => {
      const value = record[attribute];
      if (typeof value !== 'string') throw new CorruptControlFileError(path, `${attribute} is not text`);
      return value;
    };
    return {
      name: text('name'),
      holder: text('holder'),
      acquiredAt: text('acquired_at'),
      renewedAt: text('renewed_at'),
      expiresAt: text('expires_at'),
    };
  }

  private async readValue(path: string): Promise<ValueRecord | undefined> {
    const record = await readJson(path);
    if (record === undefined) return undefined;
    const { key, value, version } = record;
    if (typeof key !== 'string' || !Number.isSafeInteger(version) || !('value' in record)) {
      throw new CorruptControlFileError(path, 'expected { key, value, version }');
    }
    return { key, value, version: version as number };
  }

  /** Runs `critical` holding the item's lock file; waits (bounded) for other writers and breaks crashed ones' locks. */
  private async withLock<T>(path: string, critical: () => Promise<T>): Promise<T> {
    const lockPath = `${path}.lock`;
    const token = `${process.pid}:${randomUUID()}`;
    await mkdir(dirname(path), { recursive: true });
    const startedAt = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        await writeFile(lockPath, token, { flag: 'wx' });
        break;
      } catch (error) {
        if (!isErrno(error, 'EEXIST')) throw error;
      }
      const freed = await this.breakLockIfStale(lockPath);
      const waitedMs = Date.now() - startedAt;
      if (waitedMs >= this.lockTimeoutMs) {
        const lockHolder = await readFile(lockPath, 'utf8').catch(() => undefined);
        throw new ControlLockTimeoutError(lockPath, waitedMs, { cause: { lockHolder, item: path } });
      }
      // Jittered, growing pauses: sections last milliseconds, and jitter keeps a crowd of waiters from lock-stepping.
      if (!freed) await sleep(Math.min(50, 2 ** Math.min(attempt, 6)) * (0.5 + Math.random()));
    }
    try {
      return await critical();
    } finally {
      await this.unlock(lockPath, token);
    }
  }

  /**
   * Removes a lock older than `staleLockMs`. It is moved aside first and checked to be the very file judged stale
   * (same inode and mtime): when two waiters judge the same stale lock, the slower one may otherwise delete the
   * fresh lock the faster one just took. If we moved a fresh lock, it is linked back.
   */
  private async breakLockIfStale(lockPath: string): Promise<boolean> {
    const judged = await statOrUndefined(lockPath);
    if (judged === undefined) return true;
    if (Date.now() - judged.mtimeMs < this.staleLockMs && !(await lockHolderGone(lockPath))) return false;
    const aside = `${lockPath}.stale.${randomUUID()}`;
    try {
      await rename(lockPath, aside);
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return true;
      throw error;
    }
    try {
      const moved = await stat(aside);
      if (moved.ino !== judged.ino || moved.mtimeMs !== judged.mtimeMs) {
        await link(aside, lockPath).catch((error: unknown) => {
          // A third writer locked in the gap; it may overlap the writer whose lock we moved. That takes three
          // writers meeting one crashed lock within the same milliseconds, a risk the local twin accepts.
          if (!isErrno(error, 'EEXIST')) throw error;
        });
      }
    } finally {
      await rm(aside, { force: true });
    }
    return true;
  }

  /** Removes our lock, unless ours was broken as stale and the file now belongs to another writer. */
  private async unlock(lockPath: string, token: string): Promise<void> {
    let content: string;
    try {
      content = await readFile(lockPath, 'utf8');
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return;
      throw error;
    }
    if (content === token) await rm(lockPath, { force: true });
  }
}

function leaseRecord(lease: Lease): LeaseRecord {
  return {
    name: lease.name,
    holder: lease.holder,
    acquired_at: lease.acquiredAt,
    renewed_at: lease.renewedAt,
    expires_at: lease.expiresAt,
    expires_at_epoch: expiryEpochSeconds(lease.expiresAt),
    holder_pid: process.pid,
  };
}

/** What to tell the user when `onTakeover` fires. */
export function takeoverMessage(lease: Lease, pid: number): string {
  return `took over the lease ${lease.name} of ${lease.holder}: its process ${pid} is gone`;
}

/** Whether the writer named in a lock file (`<pid>:<token>`) has ended: its lock can be broken at once. */
async function lockHolderGone(lockPath: string): Promise<boolean> {
  const content = await readFile(lockPath, 'utf8').catch(() => '');
  const pid = Number(content.split(':')[0]);
  return Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && !processAlive(pid);
}

async function readJson(path: string): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CorruptControlFileError(path, 'not JSON', { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CorruptControlFileError(path, 'not a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/** Write then rename (atomic on one file system), so a lock-free reader sees the old item or the new, never half. */
async function writeJsonAtomically(path: string, record: object): Promise<void> {
  const temporary = `${path}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(temporary, `${JSON.stringify(record, null, 2)}\n`);
  await rename(temporary, path);
}

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw error;
  }
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && 'code' in error && error.code === code;
}
