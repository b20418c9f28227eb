import { readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * One writing process at a time for a local engine's files: DuckDB locks its file itself (we wait on its error);
 * PGlite does not, so its folder gets a lock file here (`<folder>.lock`, the holder's pid and command). A holder
 * whose process is gone (killed, crashed) is taken over at once.
 */

/** The process holding a local engine's file or folder. */
export interface LockHolder {
  readonly path: string;
  readonly pid?: number;
  /** The holder's command line, where the system tells it. */
  readonly command?: string;
}

/** Another process kept the engine past the wait: one line naming it. */
export class LocalEngineBusyError extends Error {
  constructor(readonly holder: LockHolder) {
    const who =
      holder.pid === undefined
        ? 'another process'
        : `process ${holder.pid}${holder.command ? ` (${holder.command})` : ''}`;
    super(`the local engine ${holder.path} is in use by ${who}; try again when it ends (or set DAP_LOCK_WAIT_SECONDS)`);
    this.name = 'LocalEngineBusyError';
  }
}

export interface LockWait {
  /** How long to wait for the holder, trying every 250 ms. @default 0: fail at once with `LocalEngineBusyError` */
  readonly lockWaitMs?: number;
  /** Called once, when the engine is found in use and the wait begins. */
  readonly onWait?: (holder: LockHolder) => void;
}

/** Runs `attempt` until it returns, while `busy` says its error is another holder, up to the wait. */
export async function waitWhileBusy<T>(
  attempt: () => Promise<T>,
  busy: (error: unknown) => LockHolder | undefined,
  wait: LockWait,
): Promise<T> {
  const deadline = Date.now() + (wait.lockWaitMs ?? 0);
  let told = false;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      const holder = busy(error);
      if (!holder) throw error;
      if (Date.now() >= deadline) throw new LocalEngineBusyError(holder);
      if (!told) wait.onWait?.(holder);
      told = true;
      await sleep(250);
    }
  }
}

/** The command line of a process, where /proc tells it, on one line. */
export function commandOf(pid: number): string | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    return text.replace(/\s+/g, ' ').slice(0, 120) || undefined;
  } catch {
    return undefined;
  }
}

class HeldError extends Error {
  constructor(readonly holder: LockHolder) {
    super('held');
  }
}

/** Takes `<folder>.lock` (waiting as `wait` says); resolves to the function that gives it back. */
export async function lockFolder(folder: string, wait: LockWait): Promise<() => Promise<void>> {
  const file = `${folder}.lock`;
  await mkdir(dirname(file), { recursive: true });
  const mine = JSON.stringify({ pid: process.pid, command: commandOf(process.pid) });
  await waitWhileBusy(
    async () => {
      try {
        await writeFile(file, mine, { flag: 'wx' });
      } catch (error) {
        if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
        const holder = await holderOf(file, folder);
        if (holder.pid !== undefined && !processAlive(holder.pid)) {
          // The holder is gone without giving the lock back: take it over now.
          await rm(file, { force: true });
          await writeFile(file, mine, { flag: 'wx' });
          return;
        }
        throw new HeldError(holder);
      }
    },
    (error) => (error instanceof HeldError ? error.holder : undefined),
    wait,
  );
  return async () => {
    await rm(file, { force: true });
  };
}

async function holderOf(file: string, folder: string): Promise<LockHolder> {
  try {
    const { pid, command } = JSON.parse(await readFile(file, 'utf8')) as { pid?: number; command?: string };
    return { path: folder, ...(typeof pid === 'number' ? { pid } : {}), ...(command ? { command } : {}) };
  } catch {
    return { path: folder };
  }
}

/** Whether a local process still runs (a signal 0 reaches it; EPERM means it runs under another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return !(error instanceof Error && 'code' in error && error.code === 'ESRCH');
  }
}
