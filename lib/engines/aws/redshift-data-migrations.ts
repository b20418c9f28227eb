import { committedBeforeNote, migrationBatches } from '../../core/migration-batches.ts';
import { historySelect, historyTableDdl, MIGRATION_HISTORY_TABLE } from '../../core/migrations.ts';
import type { AppliedScript, MigrationTarget, PendingScript } from '../../core/ports.ts';
import { assertIdentifier } from '../../core/procedure-call.ts';
import { type RedshiftDataWarehouse, StatementFailedError } from './redshift-data-warehouse.ts';

/**
 * The reporting model's migrations applied through the Redshift Data API, so Redshift migrates exactly as PGlite
 * does locally (`migrate` from lib/core/migrations.ts drives both). Each script is split into its statements and
 * sent with its history row as one BatchExecuteStatement: Redshift runs a batch as a single transaction, so a
 * script either applies and is recorded, or leaves nothing behind. A batch holds at most 40 statements, so a script
 * of more than 39 goes in several, in order (`migrationBatches`): a failure in a later one leaves the earlier ones
 * committed, and says so. A statement over the Data API's 100,000 bytes is refused before anything is sent.
 */
export class RedshiftDataMigrationTarget implements MigrationTarget {
  constructor(
    private readonly warehouse: Pick<RedshiftDataWarehouse, 'runStatements' | 'queryRows'>,
    /** The reporting schema, which holds the history table. */
    private readonly schema: string,
    /** The role Spectrum reads the Glue catalog and S3 with; needed only by `ensureExternalSchema`. */
    private readonly spectrumRoleArn?: string,
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
          `${this.schema}.${MIGRATION_HISTORY_TABLE} row ${index + 1}: expected text script and checksum, got ${JSON.stringify(row)}`,
        );
      }
      return {
        script,
        // A history table made before dotted versions holds them as integers.
        version: version === null || version === undefined ? null : String(version),
        // char(64) comes back padded on some drivers; the checksum is 64 hex digits either way.
        checksum: checksum.trim(),
      };
    });
  }

  /**
   * Creates the Spectrum schema unless it exists, on its own (autocommit) statement: Redshift runs some external
   * DDL only outside a transaction block. An existing schema is left as it is, pointing where it points.
   */
  async ensureExternalSchema(external: { readonly schema: string; readonly glueDatabase: string }): Promise<void> {
    if (this.spectrumRoleArn === undefined) {
      throw new Error(
        `external schema ${external.schema}: no Spectrum role (set redshift.spectrum_role_arn for an existing cluster)`,
      );
    }
    const ddl = externalSchemaDdl({ ...external, iamRoleArn: this.spectrumRoleArn });
    await this.warehouse.runStatements([ddl], `dap:migrations:external:${external.schema}`);
  }

  async applyScript(script: PendingScript, runId: string): Promise<void> {
    const { statements, batches } = migrationBatches(script, this.schema, runId);
    const file = script.script.split('/').pop() ?? script.script;
    for (const [index, batch] of batches.entries()) {
      const part = batches.length === 1 ? '' : `:${index + 1}-of-${batches.length}`;
      try {
        await this.warehouse.runStatements(batch.sqls, `dap:migrate:${file}${part}`);
      } catch (error) {
        // Say which statement of the script broke, by its line in the file: that is where the author looks.
        if (error instanceof StatementFailedError && (error.failedStatement !== undefined || batch.before > 0)) {
          const position = error.failedStatement === undefined ? undefined : batch.before + error.failedStatement;
          const failed = position === undefined ? undefined : statements[position - 1];
          const where =
            position === undefined
              ? `the batch of statements ${batch.before + 1} to ${batch.before + batch.sqls.length}`
              : failed
                ? `statement ${position} of ${statements.length} (line ${failed.line})`
                : 'recording it in the history table';
          throw new StatementFailedError({
            name: where,
            statementId: error.statementId,
            aborted: false,
            warehouseError: `${error.warehouseError ?? 'the warehouse gave no error text'}${committedBeforeNote(script, batch)}`,
          });
        }
        throw error;
      }
    }
  }
}

/** A Redshift Spectrum external schema over one Glue database, read with the namespace's Spectrum role. */
export interface ExternalSchema {
  /** The Redshift schema the scripts name as `{{stage_schema}}` / `{{raw_schema}}`. */
  readonly schema: string;
  readonly glueDatabase: string;
  readonly iamRoleArn: string;
}

const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const GLUE_DATABASE = /^[a-z0-9_]{1,255}$/;

/**
 * `create external schema if not exists <schema> from data catalog database '<db>' iam_role '<arn>'`. The values
 * come from validated config and the stack, and are checked here too, because they are written into the SQL.
 */
export function externalSchemaDdl(external: ExternalSchema): string {
  assertIdentifier('external schema', external.schema);
  if (!GLUE_DATABASE.test(external.glueDatabase)) {
    throw new Error(
      `Glue database ${JSON.stringify(external.glueDatabase)} for external schema ${external.schema}: expected lower-case letters, digits and underscores`,
    );
  }
  if (!IAM_ROLE_ARN.test(external.iamRoleArn)) {
    throw new Error(
      `Spectrum role ${JSON.stringify(external.iamRoleArn)} for external schema ${external.schema}: expected an IAM role ARN (redshift.spectrum_role_arn, or the stack's role)`,
    );
  }
  return (
    `create external schema if not exists ${external.schema} from data catalog ` +
    `database '${external.glueDatabase}' iam_role '${external.iamRoleArn}'`
  );
}
