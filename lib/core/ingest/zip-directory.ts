/**
 * What an XLSX workbook (a ZIP archive) declares about itself, read from its central directory at the end of the
 * file before any entry is inflated: each entry's name and compressed and uncompressed sizes. A decompression bomb
 * (a few KB that inflate to gigabytes) is refused from these figures, before the XLSX reader caches a single string.
 * Pure: the caller brings the file's last bytes.
 */

export interface ZipEntry {
  readonly name: string;
  readonly compressedBytes: number;
  readonly uncompressedBytes: number;
  /** 0 stored, 8 deflated; anything else cannot be read here. */
  readonly method: number;
  /** Bit 0 of the general-purpose flags: the entry is encrypted. */
  readonly encrypted: boolean;
  /** CRC-32 of the uncompressed bytes. */
  readonly crc32: number;
  /** Where the entry's local header starts in the file. */
  readonly localHeaderOffset: number;
}

/** The archive's central directory cannot be read: damaged, not a ZIP, or ZIP64 (over 4 GB, beyond any limit here). */
export class ZipDirectoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipDirectoryError';
  }
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const EOCD_MIN = 22;

/**
 * The entries of the archive whose last `tail.length` bytes are given (the whole file is `fileBytes` long). The
 * central directory must lie within the tail; ZIP64 archives (a size or offset of 0xFFFFFFFF) are refused.
 */
export function readZipDirectory(tail: Uint8Array, fileBytes: number): ZipEntry[] {
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let eocd = -1;
  // The end record is the last 22 bytes plus a comment of up to 65,535 bytes.
  for (let at = tail.byteLength - EOCD_MIN; at >= Math.max(0, tail.byteLength - EOCD_MIN - 65_535); at--) {
    if (view.getUint32(at, true) === EOCD) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw new ZipDirectoryError('no ZIP end-of-central-directory record (a damaged or truncated file)');
  const count = view.getUint16(eocd + 10, true);
  const size = view.getUint32(eocd + 12, true);
  const offset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff)
    throw new ZipDirectoryError('a ZIP64 archive (over 4 GB or 65,535 entries), beyond what a workbook may hold here');
  const start = tail.byteLength - (fileBytes - offset);
  if (start < 0 || offset + size > fileBytes)
    throw new ZipDirectoryError('the ZIP central directory lies outside the file (a damaged file)');
  const entries: ZipEntry[] = [];
  let at = start;
  for (let index = 0; index < count; index++) {
    if (at + 46 > tail.byteLength || view.getUint32(at, true) !== CENTRAL)
      throw new ZipDirectoryError(`ZIP central directory entry ${index + 1} is damaged`);
    const flags = view.getUint16(at + 8, true);
    const method = view.getUint16(at + 10, true);
    const crc32 = view.getUint32(at + 16, true);
    const compressedBytes = view.getUint32(at + 20, true);
    const uncompressedBytes = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const localHeaderOffset = view.getUint32(at + 42, true);
    if (compressedBytes === 0xffffffff || uncompressedBytes === 0xffffffff || localHeaderOffset === 0xffffffff)
      throw new ZipDirectoryError('a ZIP64 entry (over 4 GB), beyond what a workbook may hold here');
    const name = new TextDecoder().decode(tail.subarray(at + 46, at + 46 + nameLength));
    if (localHeaderOffset + compressedBytes > fileBytes)
      throw new ZipDirectoryError(`ZIP entry ${name} lies outside the file (a damaged file)`);
    entries.push({
      name,
      compressedBytes,
      uncompressedBytes,
      method,
      encrypted: (flags & 1) === 1,
      crc32,
      localHeaderOffset,
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

export interface ZipLimits {
  /** All entries inflated together. */
  readonly maxUncompressedBytes: number;
  /** One entry's uncompressed ÷ compressed size, for entries over a megabyte. */
  readonly maxCompressionRatio: number;
  /** `xl/sharedStrings.xml` uncompressed: the XLSX reader caches the table whole. */
  readonly maxSharedStringsBytes: number;
}

/** Why the archive exceeds a limit, naming the limit and the entry, or undefined when it is within them. */
export function zipLimitProblem(entries: readonly ZipEntry[], limits: ZipLimits): string | undefined {
  const total = entries.reduce((sum, entry) => sum + entry.uncompressedBytes, 0);
  if (total > limits.maxUncompressedBytes)
    return `the workbook inflates to ${total} bytes, over max_uncompressed_bytes (${limits.maxUncompressedBytes})`;
  for (const entry of entries) {
    if (entry.name === 'xl/sharedStrings.xml' && entry.uncompressedBytes > limits.maxSharedStringsBytes)
      return `${entry.name} inflates to ${entry.uncompressedBytes} bytes, over max_shared_strings_bytes (${limits.maxSharedStringsBytes})`;
    if (entry.uncompressedBytes < 1024 * 1024) continue;
    const ratio = entry.uncompressedBytes / Math.max(1, entry.compressedBytes);
    if (ratio > limits.maxCompressionRatio)
      return `${entry.name} inflates ${Math.round(ratio)}-fold (${entry.compressedBytes} to ${entry.uncompressedBytes} bytes), over max_compression_ratio (${limits.maxCompressionRatio}): a decompression bomb`;
  }
  return undefined;
}
