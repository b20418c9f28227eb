/**
 * The value at a dotted path (`pagination.continuation`) in parsed JSON, `$` being the value itself; undefined when
 * any step is missing.
 */
export function valueAt(value: unknown, path: string): unknown {
  if (path === '$') return value;
  let current = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** A scalar as text for a URL or a key: strings as they are, numbers and booleans in their JSON form. */
export function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}
