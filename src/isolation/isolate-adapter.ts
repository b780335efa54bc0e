import {
  type Adapter,
  AdapterError,
  AdapterLoadError,
  runScriptsKey,
  type ScriptRunner,
  type Stepper,
  timesOwnCallsKey,
} from '../adapter/index.js';
import { describeValue, type OptimizerConfig, optionalPositive } from '../reference/index.js';
import { hostErrorText, type RequestLimits } from './host-connection.js';
import type { HostDescription, HostError, HostModule } from './host-protocol.js';
import { isolatedSchedule, isolatedStepper, isolatedTensorStepper } from './isolated-stepper.js';
import { runScriptsInWorker } from './isolated-scripts.js';
import { WorkerSession } from './worker-session.js';

/** Options of {@link isolateAdapter}; every time is in milliseconds. */
export interface IsolateOptions {
  /** Where a relative module path is resolved (default: this process's). */
  cwd?: string;
  /** Per call into the adapter (default 10 000). */
  timeoutMs?: number;
  /**
   * For loading the module, its imports included (default: `timeoutMs` when it is given, else 60 000: a library
   * such as TF.js takes seconds to import, several times that on a busy machine, and a correct module must not
   * fail for it).
   */
  loadTimeoutMs?: number;
  /** Epoch milliseconds after which every call fails at once: the whole run's limit (default: none). */
  deadline?: number;
  /** Aborting it ends the worker at once, while loading too (SIGINT, SIGTERM); its reason becomes the error. */
  signal?: AbortSignal;
  /**
   * The module that serves the adapter in the worker, instead of loading it there: the browser runner
   * (src/browser/) relays every request to a page of Chromium, behind the same timeouts and isolation.
   */
  host?: HostModule;
}

/** An adapter module running in a worker thread, seen through the ordinary Adapter interface. */
export interface IsolatedAdapter extends Adapter, ScriptRunner {
  /** The worker times every call into the adapter itself (the guard adds no timer of its own). */
  readonly [timesOwnCallsKey]: true;
  /** An instance in the worker; it is created there with the first call (a failed create is that call's error). */
  create(config: OptimizerConfig, x0: Float64Array): Promise<Stepper>;
  /** Starts a fresh worker if the current one ended or hangs (a crash, a hang, process.exit); call between subjects. */
  renew(): Promise<void>;
  /** Ends the worker now: every pending and later call fails with `reason` (SIGINT, SIGTERM). */
  interrupt(reason: string): void;
  /** Ends the worker; idempotent. */
  close(): Promise<void>;
}

function loadFailure(modulePath: string, error: unknown): AdapterLoadError {
  if (error instanceof AdapterLoadError) return error;
  const host = error instanceof AdapterError ? (error.cause as HostError | undefined) : undefined;
  if (host?.reason !== undefined) return new AdapterLoadError(hostErrorText(host), host.reason, { cause: error });
  const text = error instanceof Error ? error.message : String(error);
  return new AdapterLoadError(`adapter module ${JSON.stringify(modulePath)} failed to load: ${text}`, 'import', {
    cause: error,
  });
}

/**
 * Loads an adapter module in a worker thread and returns it as an ordinary
 * {@link Adapter}, so that no adapter can take the checker down. Every call
 * crosses the thread boundary as plain data, so no object of the adapter reaches
 * the checker; every call has a timeout that ends the worker, synchronous
 * infinite loops included; `process.exit`, uncaught exceptions and unhandled
 * rejections in the adapter end only its worker and become an AdapterError
 * naming the adapter's file and line. Mutations of `x0` and gradients are copied
 * back into the arrays the checker handed over, so the immutability check sees them.
 * Throws {@link AdapterLoadError} as `loadAdapter` does, and for a load that hangs.
 */
export async function isolateAdapter(modulePath: string, options: IsolateOptions = {}): Promise<IsolatedAdapter> {
  const timeoutMs = optionalPositive('options.timeoutMs', options.timeoutMs, 10_000);
  const deadline = options.deadline ?? Number.POSITIVE_INFINITY;
  if (typeof deadline !== 'number' || Number.isNaN(deadline))
    throw new RangeError(`options.deadline must be epoch milliseconds, got ${describeValue(options.deadline)}`);
  const limits: RequestLimits = { timeoutMs, deadline };
  const loadLimits: RequestLimits = {
    ...limits,
    timeoutMs: optionalPositive('options.loadTimeoutMs', options.loadTimeoutMs, options.timeoutMs ?? 60_000),
  };
  const session = new WorkerSession(
    modulePath,
    options.cwd ?? process.cwd(),
    limits,
    loadLimits,
    options.signal,
    options.host,
  );
  let description: HostDescription;
  try {
    description = (await session.start()).description;
  } catch (error) {
    throw loadFailure(modulePath, error);
  }
  const adapter: IsolatedAdapter = {
    [runScriptsKey]: (scripts, batch) => runScriptsInWorker(session, scripts, batch),
    [timesOwnCallsKey]: true,
    name: description.name,
    dtype: description.dtype,
    ...(description.precision === undefined ? {} : { precision: description.precision }),
    ...(description.arithmetic === undefined ? {} : { arithmetic: description.arithmetic }),
    optimizers: description.optimizers,
    create: async (config, x0) => isolatedStepper(session, config, x0),
    ...(description.tensors === undefined
      ? {}
      : { tensors: description.tensors, createTensors: (spec) => isolatedTensorStepper(session, spec) }),
    renew: () => session.renew(),
    interrupt: (reason) => session.interrupt(reason),
    async close() {
      await session.connection.end('the adapter was closed');
    },
  };
  if (description.schedules !== undefined) adapter.schedules = description.schedules;
  if (description.hasSchedule) adapter.schedule = (config) => isolatedSchedule(session, config);
  return adapter;
}
