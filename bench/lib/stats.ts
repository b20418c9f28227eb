/** Summary statistics of repeated measurements: the median, and the spread as min–max and relative to the median. */

export interface Summary {
  readonly n: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** (max - min) / median, 0 for one sample or a zero median. */
  readonly relativeSpread: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function summarize(values: readonly number[]): Summary {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) throw new RangeError('summary of no finite values');
  const mid = median(finite);
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  return {
    n: finite.length,
    median: mid,
    min,
    max,
    relativeSpread: finite.length > 1 && mid !== 0 ? (max - min) / mid : 0,
  };
}

/** A number as people read it in a table: 3 significant figures, thousands separated. */
export function formatNumber(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  const decimals = Math.max(0, digits - 1 - magnitude);
  return value.toLocaleString('en-GB', { maximumFractionDigits: decimals, minimumFractionDigits: 0 });
}

/** `median (min–max, ±x%)`, or just the value when there is one sample. */
export function formatSummary(summary: Summary, unit = ''): string {
  const suffix = unit ? ` ${unit}` : '';
  if (summary.n === 1) return `${formatNumber(summary.median)}${suffix}`;
  const spread = `${formatNumber(summary.min)}–${formatNumber(summary.max)}`;
  return `${formatNumber(summary.median)}${suffix} (${spread}, ±${(summary.relativeSpread * 50).toFixed(0)}%)`;
}
