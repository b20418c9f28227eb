import {
  type AppliedScript,
  historyInsert,
  historySelect,
  historyTableDdl,
  type MigrationTarget,
  type PendingScript,
} from '../../core/migrations.ts';
import { assertIdentifier } from '../../core/procedure-call.ts';
import { splitSqlStatements } from '../../core/sql-statements.ts';
import { type RedshiftDataWarehouse, StatementFailedError } from './redshift-data-warehouse.ts';

/**
 * The reporting model's migrations applied through the Redshift Data API, so Redshift migrates exactly as PGlite
 * does locally (`migrate` from lib/core/migrations.ts drives both). Each script is split into its statements and
 * sent with its history row as one BatchExecuteStatement: Redshift runs a batch as a single transaction, so a
 * script either applies and is recorded, or leaves nothing behind.
 */
export class RedshiftDataMigrationTarget implements MigrationTarget {
  constructor(
    private readonly warehouse: Pick<RedshiftDataWarehouse, 'runStatements' | 'queryRows'>,
    /** The reporting schema, which holds the history table. */
    private readonly schema: string,
  ) {
    assertIdentifier('reporting schema', schema);
  }

  async appliedScripts(): Promise<readonly AppliedScript[]> {
    await this.warehouse.runStatements(
      [`create schema if not exists ${this.schema}`, historyTableDdl(this.schema)],
      'dap:migrations:history',
    );
    const rows = await this.warehouse.queryRows(historySelect(this.schema), 'dap:migrations:applied');
    return rows.map((row, index) => {
      const { script, version, checksum } = row;
      if (typeof script !== 'string' || typeof checksum !== 'string') {
        throw new Error(
          `${this.schema}.dap_schema_history row ${index + 1}: expected text script and checksum, got ${JSON.stringify(row)}`,
        );
      }
      return {
        script,
        version: version === null || version === undefined ? null : Number(version),
        // char(64) comes back padded on some drivers; the checksum is 64 hex digits either way.
        checksum: checksum.trim(),
      };
    });
  }

  async applyScript(script: PendingScript, runId: string): Promise<void> {
    const statements = splitSqlStatements(script.sql);
    const sqls = [...statements.map((s) => s.sql), historyInsert(this.schema, script, runId)];
    try {
      await this.warehouse.runStatements(sqls, `dap:migrate:${script.script.split('/').pop() ?? script.script}`);
    } catch (error) {
      // Say which statement of the script broke, by its line in the file: that is where the author looks.
      if (error instanceof StatementFailedError && error.failedStatement !== undefined) {
        const failed = statements[error.failedStatement - 1];
        const where = failed
          ? `statement ${error.failedStatement} of ${statements.length} (line ${failed.line})`
          : 'recording it in the history table';
        throw new StatementFailedError({
          name: where,
          statementId: error.statementId,
          aborted: false,
          warehouseError: error.warehouseError,
        });
      }
      throw error;
    }
  }
}
