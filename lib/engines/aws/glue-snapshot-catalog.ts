import {
  AlreadyExistsException,
  CreatePartitionCommand,
  GetTableCommand,
  GlueClient,
  type StorageDescriptor,
  UpdatePartitionCommand,
} from '@aws-sdk/client-glue';
import type { SnapshotCatalog } from '../../core/ports.ts';

/**
 * Promoted extracts made readable in Athena: the raw table's partition `snapshot_date` is created at the extract's
 * folder, or moved there from an earlier extract of the same day, in one Glue call each. The partition copies the
 * table's storage (columns, SerDe, formats) with its own location, as Athena needs.
 */
export class GlueSnapshotCatalog implements SnapshotCatalog {
  private readonly storage = new Map<string, Promise<StorageDescriptor>>();

  constructor(
    private readonly options: { readonly database: string; readonly bucket: string },
    private readonly client: GlueClient = new GlueClient({}),
  ) {}

  async registerSnapshot(table: string, snapshotDate: string, prefix: string): Promise<void> {
    const descriptor = await this.tableStorage(table);
    const input = {
      Values: [snapshotDate],
      StorageDescriptor: { ...descriptor, Location: `s3://${this.options.bucket}/${prefix}` },
    };
    try {
      await this.client.send(
        new CreatePartitionCommand({ DatabaseName: this.options.database, TableName: table, PartitionInput: input }),
      );
    } catch (error) {
      if (!(error instanceof AlreadyExistsException)) throw error;
      await this.client.send(
        new UpdatePartitionCommand({
          DatabaseName: this.options.database,
          TableName: table,
          PartitionValueList: [snapshotDate],
          PartitionInput: input,
        }),
      );
    }
  }

  private tableStorage(table: string): Promise<StorageDescriptor> {
    let storage = this.storage.get(table);
    if (!storage) {
      storage = this.client
        .send(new GetTableCommand({ DatabaseName: this.options.database, Name: table }))
        .then(({ Table }) => {
          if (!Table?.StorageDescriptor) {
            throw new Error(`Glue table ${this.options.database}.${table} has no storage descriptor`);
          }
          return Table.StorageDescriptor;
        });
      storage.catch(() => this.storage.delete(table));
      this.storage.set(table, storage);
    }
    return storage;
  }
}
