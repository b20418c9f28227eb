import type { SqlValue } from '../ports.ts';

/**
 * The key of an extracted row across a source's instances: its `source_id`, then its primary key values, joined by
 * `|` with `\` and `|` inside a value escaped (`north|annex|H010`), so two different keys never give the same text.
 * History and federated ids are kept per this key, that is per (source_id, native id). A NULL key value is `\N`.
 */
export function rowKey(sourceId: string, key: readonly SqlValue[]): string {
  return [sourceId, ...key].map(part).join('|');
}

function part(value: SqlValue): string {
  if (value === null) return '\\N';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return text.replaceAll('\\', '\\\\').replaceAll('|', '\\|');
}
