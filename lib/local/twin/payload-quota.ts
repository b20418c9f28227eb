import { jsonBytes, TaskError, type TaskHandler } from './task-handlers.ts';

/**
 * Step Functions' quota on what a state is given and returns, kept by the twin as AWS keeps it: a task's own input
 * and result are measured before it runs and before its result moves on (so nothing runs after a task crosses the
 * quota), and what Map and Pass states assemble is measured from the execution's event log. The first crossing is
 * kept and stops the execution; the largest payload seen is kept for the run's warning.
 */
/** Step Functions' quota on a state's input and output, Map results included: 256 KiB of UTF-8 JSON. */
export const STATE_PAYLOAD_LIMIT_BYTES = 262_144;

/** The size of what a state was given (entered) or returned (exited), as Step Functions measures it. */
export interface StatePayload {
  readonly state: string;
  readonly direction: 'input' | 'output';
  readonly bytes: number;
}

function payloadOf(
  type: 'StateEntered' | 'StateExited',
  state: string,
  data: { readonly input?: unknown; readonly output?: unknown },
): StatePayload | undefined {
  const payload = type === 'StateEntered' ? data.input : data.output;
  if (payload === undefined) return undefined;
  const direction = type === 'StateEntered' ? 'input' : 'output';
  return { state, direction, bytes: jsonBytes(payload) };
}

/**
 * The error Step Functions fails an execution with when a state receives or returns more than 256 KiB
 * (`States.DataLimitExceeded`, which `States.ALL` does not catch), so a plan or a report that only the twin could
 * carry fails here too.
 */
export function payloadLimitError(payload: StatePayload): { name: string; cause: string } | undefined {
  if (payload.bytes <= STATE_PAYLOAD_LIMIT_BYTES) return undefined;
  const what = payload.direction === 'input' ? 'was given an input' : 'returned a result';
  return {
    name: 'States.DataLimitExceeded',
    cause: `The state '${payload.state}' ${what} of ${payload.bytes} bytes, exceeding the maximum number of bytes service limit (${STATE_PAYLOAD_LIMIT_BYTES}).`,
  };
}

export class PayloadQuota {
  private crossed: { name: string; cause: string } | undefined;
  private stop: () => void = () => {};
  /** The largest input or result a state had so far. */
  largest: StatePayload = { state: '', direction: 'input', bytes: 0 };

  /** The first crossing (`States.DataLimitExceeded`, which `States.ALL` does not catch), if any. */
  get exceeded(): { name: string; cause: string } | undefined {
    return this.crossed;
  }

  /** How to stop the execution once the quota is crossed. */
  onExceeded(stop: () => void): void {
    this.stop = stop;
  }

  /** The handler, measured: its input before it runs, its result before it moves on. */
  guard(name: string, handler: TaskHandler): TaskHandler {
    return async (input) => {
      // Let the event log catch up first: a Map or Pass state just before may have crossed the quota already.
      await new Promise((resolve) => setImmediate(resolve));
      if (this.crossed) throw this.fail(this.crossed);
      const given = payloadLimitError({ state: name, direction: 'input', bytes: jsonBytes(input) });
      if (given) throw this.fail(given);
      const result = await handler(input);
      const returned = payloadLimitError({ state: name, direction: 'output', bytes: jsonBytes(result) });
      if (returned) throw this.fail(returned);
      return result;
    };
  }

  /** A state entered (its input) or exited (its output), from the event log. */
  observe(
    type: 'StateEntered' | 'StateExited',
    state: string,
    data: { readonly input?: unknown; readonly output?: unknown },
  ): void {
    const payload = payloadOf(type, state, data);
    if (payload && payload.bytes > this.largest.bytes) this.largest = payload;
    const crossing = payload && payloadLimitError(payload);
    if (crossing) {
      this.crossed ??= crossing;
      this.stop();
    } else if (this.crossed) this.stop();
  }

  private fail(error: { name: string; cause: string }): TaskError {
    this.crossed ??= error;
    this.stop();
    return new TaskError(error.name, error.cause);
  }
}
