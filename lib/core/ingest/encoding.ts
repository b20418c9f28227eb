/**
 * Text encodings of dropped CSV files. Detection order: a byte-order mark; UTF-16 without one (NUL bytes in every
 * other position); UTF-8 when every byte of the file is valid UTF-8 (checked while hashing, so the whole file is
 * seen, not a sample); otherwise Windows-1252, what Excel on Windows writes when asked for "CSV".
 */

export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export interface EncodingEvidence {
  /** The first bytes of the file (a few KB are enough). */
  readonly head: Uint8Array;
  /** Whether the whole file decodes as UTF-8 without a single invalid sequence. */
  readonly validUtf8: boolean;
}

export interface DetectedEncoding {
  readonly encoding: TextEncoding;
  readonly bom: boolean;
  /** How it was decided, for the report. */
  readonly evidence: string;
}

export function detectEncoding({ head, validUtf8 }: EncodingEvidence): DetectedEncoding {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) {
    return { encoding: 'utf-8', bom: true, evidence: 'UTF-8 byte-order mark' };
  }
  if (head[0] === 0xff && head[1] === 0xfe)
    return { encoding: 'utf-16le', bom: true, evidence: 'UTF-16LE byte-order mark' };
  if (head[0] === 0xfe && head[1] === 0xff)
    return { encoding: 'utf-16be', bom: true, evidence: 'UTF-16BE byte-order mark' };
  const sample = head.subarray(0, Math.min(head.length, 4096) & ~1);
  if (sample.length >= 4) {
    let evenZeros = 0;
    let oddZeros = 0;
    for (let i = 0; i < sample.length; i += 2) {
      if (sample[i] === 0) evenZeros++;
      if (sample[i + 1] === 0) oddZeros++;
    }
    const pairs = sample.length / 2;
    if (oddZeros > pairs * 0.3 && evenZeros < pairs * 0.05) {
      return { encoding: 'utf-16le', bom: false, evidence: 'NUL in every other byte (UTF-16LE without BOM)' };
    }
    if (evenZeros > pairs * 0.3 && oddZeros < pairs * 0.05) {
      return { encoding: 'utf-16be', bom: false, evidence: 'NUL in every other byte (UTF-16BE without BOM)' };
    }
  }
  if (validUtf8) return { encoding: 'utf-8', bom: false, evidence: 'every byte is valid UTF-8' };
  return { encoding: 'windows-1252', bom: false, evidence: 'not valid UTF-8; read as Windows-1252' };
}

/**
 * Windows-1252's 0x80-0x9F block. Node's `TextDecoder('windows-1252')` decodes these as Latin-1 control
 * characters (0x80 → U+0080 instead of €), so this one table is applied by hand.
 */
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8d, 0x017d,
  0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x9d,
  0x017e, 0x0178,
];

/** A streaming decoder: feed chunks, get text; multi-byte sequences split across chunks are carried over. */
export interface ChunkDecoder {
  decode(chunk: Uint8Array): string;
  end(): string;
}

export function chunkDecoder(encoding: TextEncoding): ChunkDecoder {
  if (encoding === 'windows-1252') {
    return {
      decode: (chunk) =>
        Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
          .toString('latin1')
          .replace(/[\u0080-\u009f]/g, (c) =>
            String.fromCharCode(CP1252_HIGH[c.charCodeAt(0) - 0x80] ?? c.charCodeAt(0)),
          ),
      end: () => '',
    };
  }
  // ignoreBOM false (the default): a leading BOM is consumed, not returned as U+FEFF.
  const decoder = new TextDecoder(encoding);
  return {
    decode: (chunk) => decoder.decode(chunk, { stream: true }),
    end: () => decoder.decode(),
  };
}

/** Checks UTF-8 validity chunk by chunk (sequences may straddle chunks). */
export class Utf8Validator {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private valid = true;

  push(chunk: Uint8Array): void {
    if (!this.valid) return;
    try {
      this.decoder.decode(chunk, { stream: true });
    } catch {
      this.valid = false;
    }
  }

  /** Whether everything pushed was valid UTF-8, including no sequence cut off at the end. */
  finish(): boolean {
    if (!this.valid) return false;
    try {
      this.decoder.decode();
      return true;
    } catch {
      return false;
    }
  }
}
