import {
  type Adapter,
  AdapterError,
  AdapterLoadError,
  type BatchOptions,
  failedInScript,
  firstForgedGradient,
  interruptionName,
  interruptionText,
  prefetchingSchedule,
  runScriptsKey,
  type Script,
  type ScriptOutcome,
  type ScriptResult,
  type ScriptRunner,
  type Stepper,
  type TensorStepper,
  type TensorsSpec,
  timesOwnCallsKey,
  type Unsupported,
  UnsupportedValue,
  unsupported,
  validateAdapter,
  validateScript,
} from '../adapter/index.js';
import type { OptimizerConfig, ScheduleConfig } from '../reference/index.js';
import {
  type HostAnswer,
  type HostCall,
  HostConnection,
  hostErrorText,
  type RequestLimits,
} from './host-connection.js';
import type { HostDescription, HostError, HostScriptOutcome, WireOutcomes } from './host-protocol.js';
import { decodeOutcomes, encodeScripts } from './script-wire.js';

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

/** Bound on a worker's start-up before the module is imported (the checker's own modules, through tsx when run from src/). */
const STARTUP_MS = 30_000;

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
  const cwd = options.cwd ?? process.cwd();
  const limits: RequestLimits = {
    timeoutMs: options.timeoutMs ?? 10_000,
    deadline: options.deadline ?? Number.POSITIVE_INFINITY,
  };
  const loadLimits: RequestLimits = { ...limits, timeoutMs: options.loadTimeoutMs ?? options.timeoutMs ?? 60_000 };
  let interrupted: string | undefined;
  /** The worker being started or in use, for an abort. */
  let live: HostConnection | undefined;
  const abort = (): void => {
    interrupted ??= interruptionText(interruptionName(options.signal!));
    void live?.end(interrupted);
  };
  if (options.signal?.aborted === true) abort();
  else options.signal?.addEventListener('abort', abort, { once: true });

  const start = async (): Promise<{ connection: HostConnection; description: HostDescription }> => {
    if (interrupted !== undefined) throw new AdapterError(`load: ${interrupted}`, 'load');
    const connection = new HostConnection(modulePath, cwd);
    live = connection;
    try {
      await connection.ready(STARTUP_MS, limits.deadline);
      const answer = await connection.request({ op: 'load' }, loadLimits, 'load');
      const description = answer.description;
      // Validated again here: the worker runs the adapter's code, which could have altered the host's.
      const stand = () => undefined;
      validateAdapter(
        {
          ...description,
          create: stand,
          ...(description?.hasSchedule === true ? { schedule: stand } : {}),
          ...(description?.tensors?.tensors === true ? { createTensors: stand } : {}),
        },
        modulePath,
      );
      return { connection, description: description as HostDescription };
    } catch (error) {
      await connection.end('the module failed to load');
      throw error;
    }
  };

  let first: Awaited<ReturnType<typeof start>>;
  try {
    first = await start();
  } catch (error) {
    throw loadFailure(modulePath, error);
  }
  const { description } = first;
  let connection = first.connection;
  /** A renewal that failed: why every call of this subject fails. */
  let unusable: string | undefined;

  const current = (operation: string): HostConnection => {
    const why = interrupted ?? unusable;
    if (why !== undefined) throw new AdapterError(`${operation}: ${why}`, operation);
    return connection;
  };

  const vector = (operation: string, value: unknown, size: number): Float64Array => {
    if (!(value instanceof Float64Array) || value.length !== size)
      throw new AdapterError(`${operation}: the adapter's worker sent a malformed answer`, operation);
    return value;
  };

  const writeBack = (targets: readonly ArrayLike<number>[], mutated: HostAnswer['mutated']): void => {
    mutated?.forEach((values, k) => {
      const target = targets[k];
      if (values instanceof Float64Array && target instanceof Float64Array && values.length === target.length)
        target.set(values);
    });
  };

  /** The failure of a request nobody waited for (a `dispose`), thrown by the next call. */
  let deferred: AdapterError | undefined;
  const takeDeferred = (): void => {
    const failure = deferred;
    deferred = undefined;
    if (failure !== undefined) throw failure;
  };
  let nextHandle = 1;

  /**
   * `create` and `dispose` are sent without waiting (one round trip each saved,
   * thousands per check): the host serves in order, so a failed `create` is
   * thrown by the instance's first call, and a failed `dispose` by the next call.
   * A mutation of `x0` is copied back when the create's answer is read.
   */
  const create = async (config: OptimizerConfig, x0: Float64Array): Promise<Stepper> => {
    const host = current('create');
    takeDeferred();
    const size = x0.length;
    const handle = nextHandle++;
    let createFailure: AdapterError | undefined;
    host.post(
      { op: 'create', handle, config: structuredClone(config), x0: Float64Array.from(x0) },
      'create',
      (outcome) => {
        if (outcome.ok) writeBack([x0], outcome.answer.mutated);
        else createFailure = outcome.error;
      },
      limits,
    );
    const ask = async (call: HostCall): Promise<HostAnswer> => {
      takeDeferred();
      try {
        return await host.request(call, limits);
      } catch (error) {
        throw createFailure ?? error;
      }
    };
    let disposed = false;
    return {
      async step(grad: Float64Array, learningRate?: number) {
        const result = await ask({
          op: 'step',
          handle,
          grad: Float64Array.from(grad),
          ...(learningRate === undefined ? {} : { learningRate }),
        });
        writeBack([grad], result.mutated);
        return vector('step', result.x, size);
      },
      async steps(grads: readonly Float64Array[], learningRates?: readonly (number | undefined)[]) {
        const result = await ask({
          op: 'steps',
          handle,
          grads: grads.map((g) => Float64Array.from(g)),
          ...(learningRates === undefined ? {} : { learningRates: [...learningRates] }),
        });
        writeBack(grads, result.mutated);
        if (!Array.isArray(result.xs) || result.xs.length !== grads.length)
          throw new AdapterError("steps: the adapter's worker sent a malformed answer", 'steps');
        return result.xs.map((x) => vector('steps', x, size));
      },
      async dispose() {
        // A worker that ended took its instances with it, and one still busy with a call the checker gave up on
        // (its own timer fired first) is about to be ended: nothing to dispose; the error of that call is the one to report.
        if (disposed || host.broken !== undefined || host.busy) return;
        disposed = true;
        if (createFailure !== undefined) throw createFailure;
        takeDeferred();
        host.post(
          { op: 'dispose', handle },
          'dispose',
          (outcome) => {
            if (!outcome.ok) deferred ??= outcome.error;
          },
          limits,
        );
      },
    };
  };

  /**
   * An instance over several tensors (docs/spec.md section 9) in the worker: every call one
   * round trip (a check makes a few hundred); the saved state crosses as the checkpoint the
   * worker made of it.
   */
  const createTensors = async (spec: TensorsSpec): Promise<TensorStepper | Unsupported> => {
    const host = current('createTensors');
    takeDeferred();
    const handle = nextHandle++;
    const sizes = spec.groups.flatMap((g) => g.x0.map((x) => x.length));
    const created = await host.request(
      {
        op: 'createTensors',
        handle,
        spec: {
          groups: spec.groups.map((g) => ({
            config: structuredClone(g.config),
            ...(g.schedule === undefined ? {} : { schedule: structuredClone(g.schedule) }),
            x0: g.x0.map((x) => Float64Array.from(x)),
          })),
        },
      },
      limits,
    );
    if (typeof created.refused === 'string') return unsupported(created.refused);
    const ask = (call: HostCall): Promise<HostAnswer> => {
      takeDeferred();
      return current(call.op).request(call, limits);
    };
    let disposed = false;
    return {
      async step(grads, learningRates) {
        const result = await ask({
          op: 'stepTensors',
          handle,
          grads: grads.map((g) => (g === undefined ? null : Float64Array.from(g))),
          ...(learningRates === undefined ? {} : { learningRates: [...learningRates] }),
        });
        if (!Array.isArray(result.xs) || result.xs.length !== sizes.length)
          throw new AdapterError("step: the adapter's worker sent a malformed answer", 'step');
        return result.xs.map((x, i) => vector('step', x, sizes[i]!));
      },
      async save() {
        return (await ask({ op: 'save', handle })).state;
      },
      async restore(state, params) {
        await ask({ op: 'restore', handle, state, params: params.map((p) => Float64Array.from(p)) });
      },
      async dispose() {
        if (disposed || host.broken !== undefined || host.busy) return;
        disposed = true;
        takeDeferred();
        host.post(
          { op: 'dispose', handle },
          'dispose',
          (outcome) => {
            if (!outcome.ok) deferred ??= outcome.error;
          },
          limits,
        );
      },
    };
  };

  /** Synchronous like the contract's schedule: each lookup blocks on the worker, values fetched ahead (src/adapter/schedule-prefetch.ts). */
  const schedule = (config: ScheduleConfig): ((t: number) => number) => {
    const host = current('schedule');
    takeDeferred();
    const handle = nextHandle++;
    // Not waited for, as create: a config the adapter rejects fails the first lookup.
    let failure: AdapterError | undefined;
    host.post(
      { op: 'schedule', handle, config: structuredClone(config) },
      'schedule',
      (outcome) => {
        if (!outcome.ok) failure = outcome.error;
      },
      limits,
    );
    return prefetchingSchedule((times) => {
      if (interrupted !== undefined) throw new AdapterError(`schedule: ${interrupted}`, 'schedule');
      let answer: HostAnswer;
      try {
        answer = host.requestSync({ op: 'values', handle, t: times }, limits, 'schedule');
      } catch (error) {
        throw failure ?? error;
      }
      const values = answer.values;
      if (!(values instanceof Float64Array) || values.length === 0 || values.length > times.length)
        throw new AdapterError("schedule: the adapter's worker sent a malformed answer", 'schedule');
      if (answer.failedAt === undefined || answer.failure === undefined) return { values };
      const error = new AdapterError(hostErrorText(answer.failure), 'schedule');
      return { values, failure: { at: answer.failedAt, error } };
    });
  };

  /** A batch of scripts (src/adapter/script.ts) in one round trip: what makes a law's run, or all of a law's runs, one request. */
  const runScriptsInWorker = async (
    scripts: readonly Script[],
    options: BatchOptions = {},
  ): Promise<ScriptOutcome[]> => {
    const host = current('step');
    takeDeferred();
    for (const script of scripts) validateScript(script);
    let answer: HostAnswer;
    // The host marks the script it runs; a batch already in flight keeps its mark.
    if (!host.unanswered) host.scriptInProgress = 0;
    try {
      answer = await host.request(
        { op: 'scripts', batch: encodeScripts(scripts) },
        limits,
        'script',
        options.ahead !== true,
      );
    } catch (error) {
      // The worker ended or a call hung: the script it was running is the one to blame.
      throw error instanceof AdapterError ? failedInScript(error, host.scriptInProgress) : error;
    }
    const malformed = (): AdapterError =>
      new AdapterError("step: the adapter's worker sent a malformed answer", 'step');
    let outcomes: HostScriptOutcome[];
    try {
      outcomes = decodeOutcomes(answer.outcomes as WireOutcomes);
    } catch {
      throw malformed();
    }
    if (!Array.isArray(outcomes) || outcomes.length === 0 || outcomes.length > scripts.length) throw malformed();
    return outcomes.map((outcome, k): ScriptOutcome => {
      const { calls } = scripts[k]!;
      if (!outcome.ok) {
        if (!Number.isInteger(outcome.call) || outcome.call < 0 || outcome.call >= calls.length) throw malformed();
        if ('unsupported' in outcome)
          return {
            ok: false,
            call: outcome.call,
            error: new UnsupportedValue(String(outcome.unsupported.reason), outcome.unsupported.config),
          };
        return {
          ok: false,
          call: outcome.call,
          error: new AdapterError(hostErrorText(outcome.error), String(outcome.error.operation), {
            cause: outcome.error,
          }),
        };
      }
      const { xs, changes, failures, loops } = outcome.result;
      if (
        !Array.isArray(xs) ||
        xs.length !== calls.length ||
        !Array.isArray(changes) ||
        (failures !== undefined && !Array.isArray(failures)) ||
        (loops !== undefined && !Array.isArray(loops))
      )
        throw malformed();
      const sizes: number[] = [];
      let closed = 0;
      calls.forEach((call, j) => {
        if (call.op === 'create') sizes.push(call.x0.length);
        else if (call.op === 'step') vector('step', xs[j], sizes[call.instance]!);
        else if (call.op === 'values') {
          const values = xs[j];
          if (!(values instanceof Float64Array) || values.length > call.t.length) throw malformed();
        } else if (call.op === 'closed') {
          const run = loops?.[closed++];
          if (
            run === undefined ||
            run.call !== j ||
            !Array.isArray(run.grads) ||
            !Array.isArray(run.xs) ||
            run.grads.length !== call.loop.steps ||
            run.xs.length !== call.loop.steps
          )
            throw malformed();
          const iterates = run.xs.map((x) => vector('step', x, sizes[call.instance]!));
          // The worker runs the adapter's code, which could have altered the checker's landscape there: its gradients are checked here.
          const forged = firstForgedGradient(call.loop, run.grads, iterates);
          if (forged >= 0)
            throw new AdapterError(
              `step: the adapter's worker reports a gradient at closed-loop step ${forged + 1} that is not the landscape's at the iterate it returned: the adapter's code altered the checker's in its worker`,
              'step',
            );
        }
      });
      const result: ScriptResult = { xs, changes };
      if (loops !== undefined) result.loops = loops;
      // A schedule's failure at one t, as text: the error the law meets when it asks for that t.
      if (failures !== undefined)
        result.failures = failures.map((f) => ({
          ...f,
          error: new AdapterError(hostErrorText(f.error as HostError), String((f.error as HostError).operation), {
            cause: f.error,
          }),
        }));
      return { ok: true, result };
    });
  };

  const adapter: IsolatedAdapter = {
    [runScriptsKey]: runScriptsInWorker,
    [timesOwnCallsKey]: true,
    name: description.name,
    dtype: description.dtype,
    optimizers: description.optimizers,
    create,
    ...(description.tensors === undefined ? {} : { tensors: description.tensors, createTensors }),
    async renew() {
      // A subject's last requests were not waited for: read their answers (a hang among them ends the worker).
      if (interrupted === undefined && connection.broken === undefined && connection.unanswered)
        await connection.request({ op: 'ping' }, limits).catch(() => undefined);
      // The previous subject is over: a dispose failure read only now cannot be told apart from this subject's.
      deferred = undefined;
      // Busy: a call the checker gave up on is still running there (a hang the guard's own timer ended first).
      if (
        interrupted !== undefined ||
        (connection.broken === undefined && !connection.unanswered && unusable === undefined)
      )
        return;
      await connection.end('replaced by a fresh worker');
      if (limits.deadline - Date.now() <= 0) {
        unusable = 'total timeout: the time limit of the whole check (--total-timeout) expired';
        return;
      }
      try {
        connection = (await start()).connection;
        unusable = undefined;
      } catch (error) {
        unusable = `a fresh worker could not load the adapter: ${error instanceof Error ? error.message : String(error)}`;
      }
    },
    interrupt(reason: string) {
      interrupted ??= reason;
      void connection.end(reason);
    },
    async close() {
      await connection.end('the adapter was closed');
    },
  };
  if (description.schedules !== undefined) adapter.schedules = description.schedules;
  if (description.hasSchedule) adapter.schedule = schedule;
  return adapter;
}
