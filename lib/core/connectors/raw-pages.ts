import { createHash } from 'node:crypto';
import { type RawCompression, rawFileEnding } from '../raw-files.ts';

/**
 * How a pulled page lands in raw: one NDJSON object per page, under a key that depends only on the pull, the
 * endpoint, the parent record and the page number. A page fetched again (a retry, or a run resuming after a crash
 * between the write and the checkpoint) overwrites its own object instead of adding a copy.
 */

export interface PageIdentity {
  /** Key prefix of the raw table, without a trailing slash (`eventbrite/eventbrite_orders`). */
  readonly location: string;
  readonly pullId: string;
  /** When the pull started (ISO): its UTC day is the object's year/month/day partition. */
  readonly pullStartedAt: string;
  readonly endpoint: string;
  readonly parent: Readonly<Record<string, string>>;
  readonly page: number;
  /** How the page is written: its name ends `.json.gz` for gzip, `.json` for plain. */
  readonly compression: RawCompression;
}

export function pageKey(page: PageIdentity): string {
  const day = page.pullStartedAt.slice(0, 10);
  const [year, month, date] = day.split('-');
  const file = `${page.pullId}_${page.endpoint}_${scopeSlug(page.parent)}_p${String(page.page).padStart(6, '0')}${rawFileEnding(page.compression)}`;
  return `${page.location}/year=${year}/month=${month}/day=${date}/${file}`;
}

/** `all` for a root endpoint; else the parent values, readable and made unique by a short hash. */
export function scopeSlug(parent: Readonly<Record<string, string>>): string {
  const entries = Object.entries(parent).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return 'all';
  const readable = entries
    .map(([, value]) => value.replace(/[^A-Za-z0-9-]/g, '-'))
    .join('-')
    .slice(0, 60);
  const hash = createHash('sha256').update(JSON.stringify(entries)).digest('hex').slice(0, 8);
  return `${readable}-${hash}`;
}

/** Request metadata every raw record carries beside the API's own record. */
export interface RecordMetadata {
  readonly source: string;
  readonly endpoint: string;
  readonly page: number;
  readonly pulled_at: string;
  readonly pull_id: string;
  readonly parent: Readonly<Record<string, string>>;
}

/** The page as NDJSON: `{source, endpoint, page, pulled_at, pull_id, parent, record}` per record. */
export function pageBody(records: readonly unknown[], metadata: RecordMetadata): string {
  return records.map((record) => `${JSON.stringify({ ...metadata, record })}\n`).join('');
}
