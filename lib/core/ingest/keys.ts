/**
 * Landing keys: which source a dropped object belongs to, whether its key is safe to use, and the keys derived from
 * it in the other buckets. Derived keys never reuse the sender's characters beyond a sanitised base name.
 */

export const LANDING_PREFIX = 'landing/';

/** Where unroutable files (unsafe key, unknown source) are quarantined; not an identifier, so never a source. */
export const UNROUTED = '_unrouted';

export type KeyRoute =
  | { readonly ok: true; readonly source: string; readonly name: string }
  | { readonly ok: false; readonly source: string | undefined; readonly reason: string };

/**
 * Splits `landing/<source>/<name>` and checks the key cannot be mistaken for another path: no `.` or `..`
 * segments, no empty segments, no backslashes or control characters, at most 1024 bytes.
 */
export function routeKey(key: string, knownSources: ReadonlySet<string>): KeyRoute {
  const unsafe = unsafeKeyReason(key);
  if (unsafe !== undefined)
    return { ok: false, source: undefined, reason: `unsafe object key "${printable(key)}": ${unsafe}` };
  if (!key.startsWith(LANDING_PREFIX)) {
    return { ok: false, source: undefined, reason: `object key "${key}" is not under ${LANDING_PREFIX}<source>/` };
  }
  const rest = key.slice(LANDING_PREFIX.length);
  const slash = rest.indexOf('/');
  if (slash <= 0 || slash === rest.length - 1) {
    return {
      ok: false,
      source: undefined,
      reason: `object key "${key}" has no source folder: expected ${LANDING_PREFIX}<source>/<file name>`,
    };
  }
  const source = rest.slice(0, slash);
  if (!knownSources.has(source)) {
    const known = [...knownSources].sort().join(', ') || 'none';
    return {
      ok: false,
      source: undefined,
      reason: `no file source "${printable(source)}": expected config/sources/files/${printable(source)}.json (known sources: ${known})`,
    };
  }
  return { ok: true, source, name: rest.slice(slash + 1) };
}

function unsafeKeyReason(key: string): string | undefined {
  if (key === '') return 'the key is empty';
  if (Buffer.byteLength(key, 'utf8') > 1024) return 'longer than 1024 bytes';
  if (key.startsWith('/')) return 'it starts with "/"';
  if (key.includes('\\')) return 'it contains a backslash';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused here.
  if (/[\u0000-\u001f\u007f]/.test(key)) return 'it contains a control character';
  const segments = key.split('/');
  if (segments.some((s) => s === '..' || s === '.')) return 'it contains a "." or ".." path segment';
  if (segments.slice(0, -1).some((s) => s === '')) return 'it contains an empty path segment ("//")';
  return undefined;
}

/** The key with control characters shown as `\xNN`, so a report never carries them raw. */
export function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is escaped here.
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * The file's base name reduced to `A-Z a-z 0-9 . _ -`, without leading dots, at most 100 characters: safe in any
 * bucket and on any disk, and still recognisable.
 */
export function safeBaseName(key: string): string {
  const base = key.split('/').pop() ?? '';
  const cleaned = base
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+/, '')
    .slice(-100);
  return cleaned === '' || cleaned === '.' ? 'file' : cleaned;
}

/**
 * A glob over names relative to `landing/<source>/`: `*` matches within one path segment, `**` across segments,
 * `?` one character; everything else is literal.
 */
export function globToRegExp(glob: string): RegExp {
  let pattern = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*' && glob[i + 1] === '*') {
      pattern += '.*';
      i++;
    } else if (c === '*') pattern += '[^/]*';
    else if (c === '?') pattern += '[^/]';
    else pattern += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${pattern}$`, 'u');
}

/** The UTC calendar day of `date`, as `YYYY-MM-DD` (the ingest date partition). */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}
