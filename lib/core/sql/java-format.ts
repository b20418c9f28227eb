/**
 * Trino's `format(format, args...)` formats with Java's `String.format`. The parts of that language the local engine
 * reproduces with Java's results: `%s` / `%S` (the value as Trino casts it to varchar, `null` for NULL), `%d` and
 * `%,d` (integers, grouped by thousands), `%x` / `%X` (hexadecimal, two's complement for negatives), `%f` / `%.Nf`
 * / `%,.Nf` (rounded half up, as Java rounds), widths with `-` and `0` flags (`%-7s`, `%05d`), `%%`, `%n`, and
 * explicit argument indexes (`%2$s`). The lint and the local
 * translation both read a format string through `parseJavaFormat`, so what the lint accepts is what runs.
 */

export type JavaConversion = 's' | 'S' | 'd' | 'x' | 'X' | 'f';

export type JavaFormatPiece =
  | { readonly kind: 'text'; readonly text: string }
  | {
      readonly kind: 'argument';
      /** 0-based index into the arguments after the format string. */
      readonly index: number;
      readonly conversion: JavaConversion;
      /** `%,d`, `%,.2f`: thousands separators. */
      readonly grouped: boolean;
      /** `%7s`, `%05d`: the minimum width, padded with spaces on the left (`-`: on the right) or zeros (`0`). */
      readonly width?: number;
      readonly leftAligned?: boolean;
      readonly zeroPadded?: boolean;
      /** Digits after the point for `f` (Java's default is 6). */
      readonly precision?: number;
    };

export type JavaFormat =
  | { readonly ok: true; readonly pieces: readonly JavaFormatPiece[]; readonly argumentsUsed: number }
  | { readonly ok: false; readonly reason: string };

const SPECIFIER = /%(?:(\d+)\$)?([-#+ 0,(<]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])/y;

/** The format string's pieces, or why the local engine cannot format it as Java does. */
export function parseJavaFormat(format: string): JavaFormat {
  const pieces: JavaFormatPiece[] = [];
  let text = '';
  let ordinary = 0;
  let used = 0;
  let at = 0;
  while (at < format.length) {
    const percent = format.indexOf('%', at);
    if (percent < 0) {
      text += format.slice(at);
      break;
    }
    text += format.slice(at, percent);
    SPECIFIER.lastIndex = percent;
    const match = SPECIFIER.exec(format);
    if (!match) return { ok: false, reason: `"${format.slice(percent, percent + 4)}" is not a Java format specifier` };
    at = SPECIFIER.lastIndex;
    const [whole, explicit, flags = '', width, precision, conversion = ''] = match;
    if (conversion === '%' || conversion === 'n') {
      if (explicit || flags || width || precision) return unsupported(whole);
      text += conversion === '%' ? '%' : '\n';
      continue;
    }
    if (!isConversion(conversion)) return unsupported(whole);
    const numeric = conversion === 'd' || conversion === 'f' || conversion === 'x' || conversion === 'X';
    const grouped = flags.includes(',');
    const leftAligned = flags.includes('-');
    const zeroPadded = flags.includes('0');
    const flagsKnown = [...flags].every((flag) => flag === ',' || flag === '-' || flag === '0');
    const flagsFit =
      flagsKnown &&
      new Set(flags).size === flags.length &&
      (!grouped || conversion === 'd' || conversion === 'f') &&
      (!zeroPadded || (numeric && !leftAligned)) &&
      ((!leftAligned && !zeroPadded) || width !== undefined);
    if (!flagsFit) return unsupported(whole);
    if (precision !== undefined && conversion !== 'f') return unsupported(whole);
    if (text !== '') pieces.push({ kind: 'text', text });
    text = '';
    const index = explicit === undefined ? ordinary++ : Number(explicit) - 1;
    if (index < 0) return { ok: false, reason: `"${whole}": argument indexes start at 1` };
    used = Math.max(used, index + 1);
    pieces.push({
      kind: 'argument',
      index,
      conversion,
      grouped,
      ...(width === undefined ? {} : { width: Number(width), leftAligned, zeroPadded }),
      ...(conversion === 'f' ? { precision: precision === undefined ? 6 : Number(precision) } : {}),
    });
  }
  if (text !== '') pieces.push({ kind: 'text', text });
  return { ok: true, pieces, argumentsUsed: used };
}

function isConversion(value: string): value is JavaConversion {
  return ['s', 'S', 'd', 'x', 'X', 'f'].includes(value);
}

function unsupported(specifier: string): JavaFormat {
  return {
    ok: false,
    reason: `"${specifier}" is not one the local engine formats as Java does (%s %S %d %,d %x %X %f %.Nf %,.Nf %% %n, widths with - and 0, n$ indexes)`,
  };
}
