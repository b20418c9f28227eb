import { parse as parseYaml } from 'yaml';

/**
 * Glue tables as DAP declares them: `AWS::Glue::Table` resources of its CloudFormation (`iac/main/resources/stage.yml`,
 * `raw.yml`), and tables a crawler made, as `aws glue get-tables --database-name <db>` exports them. Both become the
 * same plain shape; what dap makes of it is `tables.ts`.
 */

export interface GlueColumn {
  readonly name: string;
  readonly type: string;
}

export interface GlueTable {
  readonly name: string;
  readonly columns: readonly GlueColumn[];
  readonly partitionKeys: readonly GlueColumn[];
  /** Key prefix inside its bucket (`txma/AUTH_CREATE_ACCOUNT`), without the bucket and the trailing slash. */
  readonly location: string | undefined;
  readonly serde: string | undefined;
  /** Where it was declared, for the report: `iac/main/resources/raw.yml at e45e303f^ (IpvIdentityIssuedGlueTable)`. */
  readonly declaredIn: string;
}

/** A Glue crawler and the S3 prefixes it makes tables from (as `location`s). */
export interface GlueCrawler {
  readonly name: string;
  readonly prefixes: readonly string[];
  readonly declaredIn: string;
}

export interface GlueDeclarations {
  readonly tables: readonly GlueTable[];
  readonly crawlers: readonly GlueCrawler[];
}

/** A Glue input that cannot be read at all: one line naming the file and what was expected. */
export class GlueInputError extends Error {
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'GlueInputError';
  }
}

/** CloudFormation's short-form intrinsic functions, as YAML tags, each read as its long form (`!Ref x` → `{Ref: x}`). */
const INTRINSICS = [
  'And',
  'Base64',
  'Cidr',
  'Condition',
  'Equals',
  'FindInMap',
  'GetAtt',
  'GetAZs',
  'If',
  'ImportValue',
  'Join',
  'Not',
  'Or',
  'Ref',
  'Select',
  'Split',
  'Sub',
  'Transform',
];

type Node = { toJSON(): unknown };
const CLOUDFORMATION_TAGS = INTRINSICS.flatMap((name) => {
  const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
  const tag = `!${name}`;
  return [
    { tag, resolve: (value: string) => ({ [key]: name === 'GetAtt' ? value.split('.') : value }) },
    { tag, collection: 'seq' as const, resolve: (value: Node) => ({ [key]: value.toJSON() }) },
    { tag, collection: 'map' as const, resolve: (value: Node) => ({ [key]: value.toJSON() }) },
  ];
});

/**
 * The Glue tables and crawlers of a CloudFormation template or fragment (resources at the top level, as DAP's
 * `iac/main/resources/*.yml` are, or under `Resources`). `label` says where the text was read (`... at e45e303f^`).
 */
export function glueFromCloudFormation(file: string, text: string, label = file): GlueDeclarations {
  let document: unknown;
  try {
    document = parseYaml(text, { customTags: CLOUDFORMATION_TAGS, uniqueKeys: false });
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new GlueInputError(file, `not valid YAML: ${detail}`);
  }
  if (!isRecord(document))
    throw new GlueInputError(file, 'expected a CloudFormation template or fragment (a mapping of resources)');
  const resources = isRecord(document.Resources) ? document.Resources : document;
  const tables: GlueTable[] = [];
  const crawlers: GlueCrawler[] = [];
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (!isRecord(resource) || !isRecord(resource.Properties)) continue;
    const where = `${label} (${logicalId})`;
    if (resource.Type === 'AWS::Glue::Table') {
      const input = resource.Properties.TableInput;
      if (!isRecord(input)) throw new GlueInputError(file, `${logicalId}.Properties.TableInput: expected a mapping`);
      tables.push(tableOf(file, `${logicalId}.Properties.TableInput`, input, where));
    } else if (resource.Type === 'AWS::Glue::Crawler') {
      const targets = isRecord(resource.Properties.Targets) ? resource.Properties.Targets : {};
      const s3 = Array.isArray(targets.S3Targets) ? targets.S3Targets : [];
      const prefixes = s3.flatMap((t) => {
        const path = isRecord(t) ? stringOf(t.Path) : undefined;
        const prefix = path === undefined ? undefined : keyPrefix(path);
        return prefix === undefined ? [] : [prefix];
      });
      crawlers.push({ name: stringOf(resource.Properties.Name) ?? logicalId, prefixes, declaredIn: where });
    }
  }
  return { tables, crawlers };
}

/** The tables of `aws glue get-tables` output: `{"TableList": [{Name, StorageDescriptor, PartitionKeys}, ...]}`. */
export function glueFromCatalogExport(file: string, text: string): GlueTable[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new GlueInputError(file, `not valid JSON: ${detail}`);
  }
  const list = isRecord(document) ? document.TableList : undefined;
  if (!Array.isArray(list)) {
    throw new GlueInputError(
      file,
      'expected the output of aws glue get-tables --database-name <db>: {"TableList": [{"Name": ..., "StorageDescriptor": {...}}]}',
    );
  }
  return list.map((table, index) => {
    if (!isRecord(table)) throw new GlueInputError(file, `TableList[${index}]: expected a table`);
    const name = stringOf(table.Name) ?? `#${index}`;
    return tableOf(file, `TableList[${index}]`, table, `${file} (table ${name}${databaseOf(table)})`);
  });
}

function databaseOf(table: Record<string, unknown>): string {
  const database = stringOf(table.DatabaseName);
  return database === undefined ? '' : ` of ${database}`;
}

function tableOf(file: string, at: string, input: Record<string, unknown>, declaredIn: string): GlueTable {
  const name = stringOf(input.Name);
  if (name === undefined) throw new GlueInputError(file, `${at}.Name: expected the table's name`);
  const storage = isRecord(input.StorageDescriptor) ? input.StorageDescriptor : {};
  const serde = isRecord(storage.SerdeInfo) ? stringOf(storage.SerdeInfo.SerializationLibrary) : undefined;
  const location = stringOf(storage.Location);
  return {
    name,
    columns: columnsOf(file, `${at}.StorageDescriptor.Columns`, storage.Columns),
    partitionKeys: columnsOf(file, `${at}.PartitionKeys`, input.PartitionKeys),
    location: location === undefined ? undefined : keyPrefix(location),
    serde,
    declaredIn,
  };
}

function columnsOf(file: string, at: string, value: unknown): GlueColumn[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new GlueInputError(file, `${at}: expected a list of {Name, Type}`);
  return value.map((column, index) => {
    const name = isRecord(column) ? stringOf(column.Name) : undefined;
    const type = isRecord(column) ? stringOf(column.Type) : undefined;
    if (name === undefined || type === undefined) {
      throw new GlueInputError(file, `${at}[${index}]: expected {Name, Type} with two strings`);
    }
    return { name, type: type.trim() };
  });
}

/**
 * A string, or the template string of a `Fn::Sub` (`!Sub s3://${RawLayerBucket}/txma/X/`), as written: variables stay
 * `${...}`, which `keyPrefix` steps over.
 */
function stringOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (isRecord(value) && 'Fn::Sub' in value) {
    const sub = value['Fn::Sub'];
    if (typeof sub === 'string') return sub;
    if (Array.isArray(sub) && typeof sub[0] === 'string') return sub[0];
  }
  return undefined;
}

/** `s3://<bucket>/txma/X/` → `txma/X`; a key without `s3://` as it is, without its slashes at either end. */
export function keyPrefix(location: string): string {
  const withoutBucket = location.replace(/^s3a?:\/\/[^/]*\/?/i, '');
  return withoutBucket.replace(/^\/+|\/+$/g, '');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
