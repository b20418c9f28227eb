import { DefaultRenderer, Listr, ListrLogger, type ListrTask, ProcessOutput } from 'listr2';

/** What a run on the twin reports as it goes, read off the state machine's events. */
export type RunProgressEvent =
  | {
      readonly kind: 'planned';
      readonly families: readonly { readonly product_family: string; readonly events: readonly string[] }[];
      readonly reporting: readonly string[];
    }
  | { readonly kind: 'event-started'; readonly family: string; readonly event: string }
  | {
      readonly kind: 'event-done';
      readonly family: string;
      readonly event: string;
      readonly outcome: 'loaded' | 'nothing-new' | 'failed';
      /** Raw files and bytes the event's window held. */
      readonly files?: number;
      readonly bytes?: number;
      readonly seconds?: number;
      readonly error?: string;
    }
  | { readonly kind: 'family-done'; readonly family: string; readonly error?: string }
  | { readonly kind: 'procedure-started'; readonly family: string }
  | {
      readonly kind: 'procedure-done';
      readonly family: string;
      readonly seconds?: number;
      readonly error?: string;
    }
  /** Something worth saying on its own line: a lease taken over, a notification sent. */
  | { readonly kind: 'note'; readonly text: string };

export type RunProgress = (event: RunProgressEvent) => void;

const took = (seconds: number | undefined) => (seconds === undefined ? '' : ` (${seconds.toFixed(1)} s)`);

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function readCounts(event: { readonly files?: number; readonly bytes?: number }): string {
  if (event.files === undefined) return '';
  return `: ${event.files} file${event.files === 1 ? '' : 's'}, ${size(event.bytes ?? 0)}`;
}

/** What follows an ended event's name, in lines and in the tree alike: what it read, or why it failed. */
function eventEnd(event: Extract<RunProgressEvent, { kind: 'event-done' }>): string {
  if (event.outcome === 'nothing-new') return `: nothing new${took(event.seconds)}`;
  if (event.outcome === 'loaded') return `${readCounts(event)}${took(event.seconds)}`;
  return `: ${event.error ?? 'failed'}${took(event.seconds)}`;
}

/** One line per step, as it happens: for logs, pipes and CI. */
export function progressLines(write: (line: string) => void): RunProgress {
  return (event) => {
    switch (event.kind) {
      case 'event-started':
        return write(`  … ${event.family} / ${event.event}`);
      case 'event-done':
        return write(`  ${event.outcome === 'failed' ? '✗' : '✓'} ${event.family} / ${event.event}${eventEnd(event)}`);
      case 'family-done':
        return event.error === undefined ? undefined : write(`  ✗ ${event.family}: ${event.error}`);
      case 'procedure-started':
        return write(`  … reporting ${event.family}`);
      case 'procedure-done':
        return write(
          event.error === undefined
            ? `  ✓ reporting ${event.family}${took(event.seconds)}`
            : `  ✗ reporting ${event.family}: ${event.error}${took(event.seconds)}`,
        );
      case 'note':
        return write(`  ! ${event.text}`);
      default:
        return undefined;
    }
  };
}

interface Outcome {
  readonly title: string;
  readonly failed?: string;
  readonly skipped?: boolean;
}

/** listr2's tree renderer, drawn to the stream given whether or not this process's stdout is a terminal. */
class TerminalRenderer extends DefaultRenderer {
  static override nonTTY = true;
}

/** A promise settled from outside: a task of the tree waits on it until the run says how that step ended. */
class Pending {
  readonly promise: Promise<Outcome>;
  settle: (outcome: Outcome) => void = () => {};
  settled = false;
  constructor() {
    this.promise = new Promise((resolve) => {
      this.settle = (outcome) => {
        if (this.settled) return;
        this.settled = true;
        resolve(outcome);
      };
    });
  }
}

export interface LiveProgress {
  readonly progress: RunProgress;
  /** Ends the tree (steps the run never reached show as not run) and waits for its last frame. */
  close(): Promise<void>;
}

/**
 * A live tree in a terminal: each family with its events under it, each `✔` / `✖` / skipped as it ends, with what it
 * read and how long it took, then the reporting procedures. Notes come before the tree starts or after it ends.
 */
export function liveProgress(options: { readonly stream?: NodeJS.WriteStream } = {}): LiveProgress {
  const stream = options.stream ?? process.stdout;
  const steps = new Map<string, Pending>();
  const families = new Map<string, Pending>();
  let running: Promise<unknown> | undefined;
  let list: Listr | undefined;
  const notes: string[] = [];
  let closing: Promise<void> | undefined;

  const step = (key: string) => {
    const pending = steps.get(key) ?? new Pending();
    steps.set(key, pending);
    return pending;
  };
  const waitFor =
    (pending: Pending): ListrTask['task'] =>
    async (_context, task) => {
      const outcome = await pending.promise;
      task.title = outcome.title;
      if (outcome.skipped) task.skip(outcome.title);
      else if (outcome.failed !== undefined) throw new Error(outcome.failed);
    };

  const start = (plan: Extract<RunProgressEvent, { kind: 'planned' }>) => {
    // Every step's promise exists before the tree runs, so closing early settles them all.
    for (const family of plan.families) for (const event of family.events) step(`${family.product_family}/${event}`);
    for (const family of plan.reporting) step(`reporting/${family}`);
    const tasks: ListrTask[] = plan.families.map((family) => {
      const done = new Pending();
      families.set(family.product_family, done);
      return {
        title: family.product_family,
        task: (_context, task) =>
          task.newListr(
            [
              ...family.events.map((event) => ({
                title: event,
                task: waitFor(step(`${family.product_family}/${event}`)),
              })),
              { title: 'checks and watermarks', task: waitFor(done) },
            ],
            { concurrent: true, exitOnError: false },
          ),
      };
    });
    if (plan.reporting.length > 0) {
      tasks.push({
        title: 'reporting model',
        task: (_context, task) =>
          task.newListr(
            plan.reporting.map((family) => ({ title: family, task: waitFor(step(`reporting/${family}`)) })),
            { concurrent: false, exitOnError: false },
          ),
      });
    }
    list = new Listr(tasks, {
      concurrent: true,
      exitOnError: false,
      collectErrors: false,
      // The run's own SIGINT handler stops the execution and releases its lease.
      registerSignalListeners: false,
      // The caller chose the live tree for a terminal (progressLines is the plain one): no second guess by listr2.
      renderer: TerminalRenderer,
      fallbackRendererCondition: false,
      silentRendererCondition: false,
      rendererOptions: {
        collapseSubtasks: false,
        collapseSkips: false,
        collapseErrors: false,
        showErrorMessage: true,
        logger: new ListrLogger({ processOutput: new ProcessOutput(stream, stream) }),
      },
    });
    running = list.run().catch(() => undefined);
  };

  const progress: RunProgress = (event) => {
    switch (event.kind) {
      case 'planned':
        return start(event);
      case 'event-started':
        return undefined;
      case 'event-done': {
        const pending = step(`${event.family}/${event.event}`);
        // A failed step's error goes under its name, as listr2 shows a task's error.
        if (event.outcome === 'failed') return pending.settle({ title: event.event, failed: eventEnd(event).slice(2) });
        return pending.settle({ title: `${event.event}${eventEnd(event)}` });
      }
      case 'family-done': {
        for (const [key, pending] of steps) {
          if (key.startsWith(`${event.family}/`))
            pending.settle({ title: key.slice(event.family.length + 1), skipped: true });
        }
        const done = families.get(event.family);
        return done?.settle(
          event.error === undefined
            ? { title: 'checks passed, watermarks committed' }
            : { title: 'not committed', failed: event.error },
        );
      }
      case 'procedure-started':
        return undefined;
      case 'procedure-done':
        return step(`reporting/${event.family}`).settle(
          event.error === undefined
            ? { title: `${event.family}${took(event.seconds)}` }
            : { title: event.family, failed: `${event.error}${took(event.seconds)}` },
        );
      case 'note':
        notes.push(event.text);
        if (!list) stream.write(`  ! ${event.text}\n`);
        return undefined;
      default:
        return undefined;
    }
  };

  return {
    progress,
    close: () => {
      closing ??= (async () => {
        for (const [key, pending] of steps) pending.settle({ title: `${key.split('/')[1]}: not run`, skipped: true });
        for (const [family, pending] of families) pending.settle({ title: `${family}: not run`, skipped: true });
        await running;
        if (list) for (const note of notes) stream.write(`  ! ${note}\n`);
      })();
      return closing;
    },
  };
}
