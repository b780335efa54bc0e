import type { ScriptResult } from '../adapter/index.js';
import type { Arithmetic } from '../numerics/index.js';
import type { Dtype, OptimizerConfig, OptimizerName, ScheduleConfig, ScheduleName } from '../reference/index.js';
import type { TensorSupport, TensorsSpec } from '../adapter/index.js';
import type { Precision } from '../numerics/index.js';

/**
 * The messages between the checker and the worker that hosts an in-process
 * adapter (src/isolation/adapter-host.ts). Everything is plain data (structured
 * clone): no object of the adapter ever reaches the checker's thread.
 */
export type HostRequest = (
  | { id: number; op: 'load' }
  | { id: number; op: 'ping' }
  | { id: number; op: 'create'; handle: number; config: OptimizerConfig; x0: Float64Array }
  | { id: number; op: 'step'; handle: number; grad: Float64Array; learningRate?: number }
  | { id: number; op: 'steps'; handle: number; grads: Float64Array[]; learningRates?: (number | undefined)[] }
  | { id: number; op: 'dispose'; handle: number }
  | { id: number; op: 'schedule'; handle: number; config: ScheduleConfig }
  | { id: number; op: 'values'; handle: number; t: number[] }
  | { id: number; op: 'scripts'; batch: WireScripts }
  | { id: number; op: 'createTensors'; handle: number; spec: TensorsSpec }
  | {
      id: number;
      op: 'stepTensors';
      handle: number;
      grads: (Float64Array | null)[];
      learningRates?: (number | undefined)[];
    }
  | { id: number; op: 'save'; handle: number }
  | { id: number; op: 'restore'; handle: number; state: unknown; params: Float64Array[] }
) & {
  /** Nobody waits for the answer: the host sends it with the next answer that is waited for. */
  quiet?: true;
};

/** What the adapter declares, read once in the worker after validation. */
export interface HostDescription {
  name: string;
  dtype: Dtype;
  /** Mixed precision, where declared (validated when it was loaded). */
  precision?: Partial<Precision>;
  /** Its declared arithmetic, when it declares one (validated when it was loaded). */
  arithmetic?: Arithmetic;
  optimizers: OptimizerName[];
  schedules?: ScheduleName[];
  hasSchedule: boolean;
  /** The uses of docs/spec.md section 9 it declares (validated when it was loaded). */
  tensors?: TensorSupport;
}

/** An error thrown, rejected or detected in the worker, as text. */
export interface HostError {
  /** `create`, `step`, `schedule`, ... (the AdapterError operation); `load` while loading. */
  operation: string;
  message: string;
  /** Frames of the adapter's own code (file:line), when the error had a stack. */
  where?: string;
  /** For `load`: the AdapterLoadError reason. */
  reason?: 'missing' | 'extension' | 'import' | 'invalid';
}

/**
 * An answer (`id` of the request) or an event: `ready` once the host serves (the
 * load's timeout starts then, not counting the thread's own start-up), `fatal`
 * when the worker is about to die (process.exit, an uncaught exception, an
 * unhandled rejection).
 */
export type HostMessage =
  | {
      id: number;
      ok: true;
      description?: HostDescription;
      x?: Float64Array;
      xs?: Float64Array[];
      mutated?: (Float64Array | null)[];
      values?: Float64Array;
      failedAt?: number;
      failure?: HostError;
      /** For `scripts`: how each script ended, up to the first that met an error (packed, src/isolation/script-wire.ts). */
      outcomes?: WireOutcomes;
      /** For `createTensors`: the adapter refused the configuration (its reason). */
      refused?: string;
      /** For `save`: the state, as a checkpoint keeps it (src/adapter/checkpoint.ts). */
      state?: unknown;
    }
  | { id: number; ok: false; error: HostError }
  | { type: 'fatal'; message: string; where?: string }
  | { type: 'ready' };

/** How a script ended in the worker (src/adapter/script.ts's ScriptOutcome as plain data). */
export type HostScriptOutcome =
  | { ok: true; result: ScriptResult }
  | { ok: false; call: number; error: HostError }
  | { ok: false; call: number; unsupported: { reason: string; config?: OptimizerConfig | ScheduleConfig } };

/**
 * Layout of the shared cells of a host worker: Int32 cells [0] bumped by the
 * checker per request, [1] by the host per message, [2] the kind of the adapter
 * call in progress (an index of {@link HOST_CALLS}), [3] the script of a batch in progress; Float64 cell [2] (bytes 16
 * to 24) the epoch milliseconds at which it started; Int32 cell [6] (bytes 24 to 28) the process id of a child
 * the host started (the browser runner's Chromium), killed with the worker, or 0. The checker's timeout is per
 * adapter call, even inside one request that makes many (a script, a closed loop).
 */
export const SIGNAL_BYTES = 32;

/** The Int32 cell of the shared cells that holds the pid of the host's child process (0: none). */
export const CHILD_PID_CELL = 6;

/** The kinds of adapter call, as the host names the one in progress. */
export const HOST_CALLS = [
  'load',
  'create',
  'step',
  'steps',
  'dispose',
  'schedule',
  'createTensors',
  'save',
  'restore',
] as const;

/**
 * Another module to serve the adapter in the worker (the browser runner's): it exports
 * `serveAdapter(data: HostData)` as src/isolation/adapter-host.ts does, and receives `data`'s fields too.
 */
export interface HostModule {
  /** The module's file URL (`.ts` is run through tsx). */
  url: string;
  /** Plain data added to the worker's {@link HostData}. */
  data?: Record<string, unknown>;
}

/** `workerData` of the host worker. */
export interface HostData {
  modulePath: string;
  cwd: string;
  /** The shared cells ({@link SIGNAL_BYTES}). */
  signals: SharedArrayBuffer;
  port: import('node:worker_threads').MessagePort;
}

/**
 * A batch of scripts as it crosses to the worker: every number in one
 * Float64Array, the calls as integers. Structured clone copies a Float64Array
 * with an ArrayBuffer of its own; a law's batch holds thousands of short ones,
 * and copying them one by one cost more than running them.
 */
export interface WireScripts {
  /** Per script: index of its first call, number of calls, watch (0 none, 1 recent, 2 all). */
  scripts: Int32Array;
  /** Per call, five integers (`CALL_INTS` of script-wire.ts): op, instance, offset and length in `numbers`, index in `objects` (or -1). */
  calls: Int32Array;
  numbers: Float64Array;
  /** A create's config, a `values` call's {config, t}, a `closed` call's loop. */
  objects: unknown[];
}

/**
 * The outcomes of a batch as they cross back: the parameters of every step, and
 * the gradients and iterates of every closed loop, in one Float64Array; the rest
 * (errors, changes, a schedule's failures) as it is, rarely more than a few.
 */
export interface WireOutcomes {
  /** Per outcome: its `HostScriptOutcome` without `xs` and `loops` (their places in `numbers` instead). */
  heads: unknown[];
  /** Per call of every script that ended well, in order: offset and length in `numbers`, or -1 for a call without parameters. */
  spans: Int32Array;
  numbers: Float64Array;
}
