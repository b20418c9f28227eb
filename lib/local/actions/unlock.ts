import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ControlStore } from '../../core/ports.ts';
import { DynamoDbControlStore } from '../../engines/aws/dynamodb-control-store.ts';
import { FileControlStore } from '../../engines/local/file-control-store.ts';
import { processAlive } from '../../engines/local/local-lock.ts';
import { resolveLocal } from '../context.ts';

export interface UnlockOptions {
  readonly env: string;
  readonly dataDir?: string;
  readonly lease: string;
  readonly force?: boolean;
  readonly aws?: boolean;
}

/** The lease is held by a run that may still be running: one line, exit 1. */
export class UnlockRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnlockRefusedError';
  }
}

/**
 * `dap unlock`: frees a lease a stopped run left, naming whose it was. Locally a lease whose holder process runs is
 * refused without `--force`; in AWS (no process to look at) so is one that has not expired. The release is
 * conditional on that holder, so a run that took the lease meanwhile keeps it.
 */
export async function unlock(root: string, options: UnlockOptions): Promise<number> {
  const context = resolveLocal({
    root,
    env: options.env,
    project: 'read',
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
  });
  const local = new FileControlStore(context.dataDir, { table: context.names.controlTable });
  const control: ControlStore = options.aws
    ? new DynamoDbControlStore({
        tableName: context.names.controlTable,
        client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: context.environment.region })),
      })
    : local;
  const lease = await control.getLease(options.lease);
  const where = options.aws ? `control table ${context.names.controlTable}` : context.dataDir;
  if (!lease) {
    console.log(`no lease ${options.lease} is held (${where})`);
    return 0;
  }
  const whose = `run ${lease.holder} (acquired ${lease.acquiredAt}, expires ${lease.expiresAt})`;
  if (!options.force) {
    const pid = options.aws ? undefined : await local.leaseHolderPid(options.lease);
    const running = options.aws ? Date.parse(lease.expiresAt) > Date.now() : pid !== undefined && processAlive(pid);
    if (running) {
      const why = options.aws ? 'it has not expired' : `its process ${pid} is still running`;
      throw new UnlockRefusedError(
        `the lease ${options.lease} is held by ${whose} and ${why}; use --force to clear it anyway`,
      );
    }
  }
  await control.releaseLease(options.lease, lease.holder);
  console.log(`released the lease ${options.lease} of ${whose}`);
  return 0;
}
