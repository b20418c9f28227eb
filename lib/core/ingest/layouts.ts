import type { FileFormat, FileSource, MappingVersion } from '../model/file-source-schema.ts';

/**
 * Which ways of reading a file a source offers. Each mapping version is read with its own `format`, or the source's;
 * a file's kind (a ZIP signature makes it a workbook) narrows the versions to those of that kind, and the versions
 * that read the file the same way are tried against its header together.
 */

export type FileKind = FileFormat['type'];

/** One way of reading a file (the format options) and the mapping versions read that way, in declared order. */
export interface Reading {
  readonly format: FileFormat;
  readonly versions: readonly MappingVersion[];
}

/** The format a mapping version's files are read with. The schema ensures one of the two is there. */
export function formatOf(source: FileSource, version: MappingVersion): FileFormat {
  const format = version.format ?? source.format;
  if (format === undefined) throw new Error(`mapping version "${version.version}" has no format`);
  return format;
}

/** A file whose first four bytes are a ZIP local-file header is a workbook; anything else is read as text. */
export function fileKindOf(head: Uint8Array): FileKind {
  return head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04 ? 'xlsx' : 'csv';
}

/** The distinct readings of a file of this kind, in the order of their first mapping version. */
export function readingsFor(source: FileSource, kind: FileKind): Reading[] {
  const readings = new Map<string, { format: FileFormat; versions: MappingVersion[] }>();
  for (const version of source.mappings) {
    const format = formatOf(source, version);
    if (format.type !== kind) continue;
    const key = readingKey(format);
    const reading = readings.get(key);
    if (reading === undefined) readings.set(key, { format, versions: [version] });
    else reading.versions.push(version);
  }
  return [...readings.values()];
}

/** Two formats read a file the same way when their options are equal. */
export function readingKey(format: FileFormat): string {
  return JSON.stringify(Object.entries(format).sort(([a], [b]) => a.localeCompare(b)));
}

/** How a reading is named in reasons: `csv, header row 1` or `xlsx, sheet "People", header row 3`. */
export function describeReading(format: FileFormat): string {
  const parts: string[] = [format.type];
  if (format.type === 'csv' && format.delimiter !== 'auto') parts.push(`delimiter ${JSON.stringify(format.delimiter)}`);
  if (format.type === 'csv' && format.encoding !== 'auto') parts.push(format.encoding);
  if (format.type === 'xlsx' && format.sheet !== undefined) {
    parts.push('name' in format.sheet ? `sheet "${format.sheet.name}"` : `sheet ${format.sheet.index}`);
  }
  parts.push(`header row ${format.header_row}`);
  return parts.join(', ');
}
