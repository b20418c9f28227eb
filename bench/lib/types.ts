/** What one measured repetition returns from its child process. */
export interface Measurement {
  /** Numeric figures, summarised (median, spread) over repetitions. */
  readonly metrics: Readonly<Record<string, number>>;
  /** Facts that do not vary between repetitions (sizes, counts, the window), shown once. */
  readonly facts?: Readonly<Record<string, string | number>>;
  /** Peak resident set size of the child process, MB (added by the child runner). */
  readonly peakRssMb?: number;
}

/** One scale (or variant) of a case, run `repetitions` times. */
export interface Step {
  /** Shown in tables, e.g. `100k events`. */
  readonly label: string;
  /** What the child needs; JSON-serialisable. `workDir` is added by the runner. */
  readonly params: Readonly<Record<string, unknown>>;
  readonly repetitions: number;
  /** Runs once before the repetitions, in its own child (data generation: not measured). */
  readonly prepare?: boolean;
}

export interface StepResult {
  readonly step: Step;
  readonly measurements: readonly Measurement[];
  readonly prepareMs?: number;
  readonly error?: string;
}

export interface PlanOptions {
  readonly quick: boolean;
}

export interface BenchCase {
  readonly name: string;
  readonly title: string;
  plan(options: PlanOptions): Step[];
  /** In a child process: builds the step's data. */
  prepare?(params: Readonly<Record<string, unknown>>): Promise<Readonly<Record<string, string | number>>>;
  /** In a child process: one measured repetition. */
  measure(params: Readonly<Record<string, unknown>>, repetition: number): Promise<Measurement>;
  /** The case's section of BENCHMARKS.md, from its results (and other cases' results, for derived figures). */
  render(results: readonly StepResult[], all: ReadonlyMap<string, readonly StepResult[]>): string;
}
