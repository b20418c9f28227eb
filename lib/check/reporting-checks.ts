import type { Problem } from '../core/model/problems.ts';
import { PATHS, type Project } from '../core/model/project.ts';
import { tokenizeRedshift } from '../core/sql/redshift-tokens.ts';
import { referencedExternalTables } from '../core/sql/template.ts';

/**
 * A reporting family's `depends_on` against what its procedure reads: every `{{stage_schema}}.<table>` that
 * `sp_<family>` reads, itself or through the procedures it calls (`call {{reporting_schema}}.<name>(...)`, followed
 * to any depth), must be the stage table of a family it depends on. Otherwise a run where that family failed would
 * still build the model from its unchecked rows. Read from the code only: comments and string literals do not count,
 * and tables named in dynamic SQL cannot be seen (depend on them by hand).
 */
export function checkReportingDependencies(project: Project): Problem[] {
  const procedures = proceduresOf(project);
  const problems: Problem[] = [];
  project.reportingFamilies.forEach((family, index) => {
    if (!family.enabled) return;
    const root = `sp_${family.product_family}`;
    const dependsOn = new Set(family.depends_on);
    for (const { table, via } of stageReads(root, procedures)) {
      if (dependsOn.has(table) || !project.stageTables.has(table)) continue;
      const through = via === root ? '' : ` (through ${via})`;
      problems.push({
        file: PATHS.reportingFamilies,
        at: `[${index}].depends_on`,
        message: `${root} reads {{stage_schema}}.${table}${through}: expected "${table}" in depends_on, so a run where that family fails does not build the model from it`,
      });
    }
  });
  return problems;
}

interface ProcedureCode {
  /** The code of the script with its comments and string literals blanked out. */
  readonly code: string;
}

/** Each procedure the repeatable scripts define, by name, with the code it is defined in. */
function proceduresOf(project: Project): ReadonlyMap<string, ProcedureCode> {
  const procedures = new Map<string, ProcedureCode>();
  for (const script of project.warehouseScripts) {
    const code = codeOnly(script.text);
    for (const match of code.matchAll(/create\s+or\s+replace\s+procedure\s+\{\{reporting_schema\}\}\.([a-z0-9_]+)/gi))
      procedures.set((match[1] ?? '').toLowerCase(), { code });
  }
  return procedures;
}

/** The stage tables `root` reads, each with the procedure that reads it (breadth first, each procedure once). */
function stageReads(
  root: string,
  procedures: ReadonlyMap<string, ProcedureCode>,
): { readonly table: string; readonly via: string }[] {
  const reads = new Map<string, string>();
  const queue = [root];
  const seen = new Set(queue);
  while (queue.length > 0) {
    const name = queue.shift() as string;
    const procedure = procedures.get(name);
    if (!procedure) continue;
    for (const { placeholder, table } of referencedExternalTables([procedure.code])) {
      if (placeholder === 'stage_schema' && !reads.has(table)) reads.set(table, name);
    }
    for (const match of procedure.code.matchAll(/\bcall\s+\{\{reporting_schema\}\}\.([a-z0-9_]+)\s*\(/gi)) {
      const called = (match[1] ?? '').toLowerCase();
      if (!seen.has(called)) {
        seen.add(called);
        queue.push(called);
      }
    }
  }
  return [...reads].map(([table, via]) => ({ table, via }));
}

/** The text with comments and string literals replaced by spaces (procedure bodies are code). */
function codeOnly(text: string): string {
  return tokenizeRedshift(text)
    .map((token) => (token.kind === 'comment' || token.kind === 'string' ? ' '.repeat(token.text.length) : token.text))
    .join('');
}
