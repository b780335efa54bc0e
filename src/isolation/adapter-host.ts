import { receiveMessageOnPort } from 'node:worker_threads';
import {
  type Adapter,
  AdapterError,
  adapterFault,
  AdapterLoadError,
  checkedCall,
  checkSchedule,
  checkStepper,
  checkTensorStepper,
  checkpoint,
  copyBatch,
  copyParameters,
  copyTensors,
  errorText,
  isUnsupported,
  loadAdapter,
  requireTensorSupport,
  runScriptsLocally,
  scheduleValueAt,
  type ScriptOutcome,
  type Stepper,
  type TensorStepper,
  UnsupportedValue,
} from '../adapter/index.js';
import { describeValue } from '../reference/index.js';
import { firstDifferentBits } from '../numerics/index.js';
import { decodeScripts, encodeOutcomes } from './script-wire.js';
import {
  HOST_CALLS,
  type HostData,
  type HostError,
  type HostMessage,
  type HostRequest,
  type HostScriptOutcome,
} from './host-protocol.js';

/** How long the host serves and waits for requests synchronously before its event loop runs again. */
const PUMP_SLICE_MS = 5;

/** Any value as text, even a null-prototype object or one whose getters throw. */
function safeText(value: unknown): string {
  try {
    if (value instanceof Error) return `${value.name}: ${value.message}`;
  } catch {
    // A Proxy or a throwing getter: fall through.
  }
  try {
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value)) {
      try {
        return `an object: ${String(value)}`;
      } catch {
        return `an object that cannot be converted to a string (${Object.prototype.toString.call(value)})`;
      }
    }
    return typeof value === 'symbol' ? value.toString() : describeValue(value);
  } catch {
    return 'a value that cannot be described';
  }
}

/** The frames of a stack that are the adapter's own code (not Node's, not the checker's under `self`), as `file:line:column`. */
function userFrames(error: unknown, self: string): string | undefined {
  let stack: unknown;
  try {
    stack = (error as { stack?: unknown } | null)?.stack;
  } catch {
    return undefined;
  }
  if (typeof stack !== 'string') return undefined;
  const frames = stack
    .split('\n')
    .filter(
      (line) =>
        /^\s+at /.test(line) && !line.includes('node:') && !line.includes(self) && !line.includes('/node_modules/tsx/'),
    )
    .slice(0, 4)
    .map((line) => line.trim().replace(/\?tsx-namespace=[^:)]*/, ''));
  return frames.length > 0 ? frames.join('\n') : undefined;
}

/** A Float64Array's contents, returned only when the adapter changed them (the immutability check). */
function changed(pristine: Float64Array, handed: Float64Array): Float64Array | null {
  return firstDifferentBits(pristine, handed) >= 0 ? handed : null;
}

/**
 * Runs in the worker thread of an isolated adapter (see isolateAdapter): loads
 * the module, answers the checker's requests one at a time with plain data, and
 * reports what would take the thread down (`process.exit`, an uncaught exception,
 * an unhandled rejection) with the adapter's file and line before it ends.
 */
export function serveAdapter(data: HostData): void {
  const { port, modulePath, cwd } = data;
  const signals = new Int32Array(data.signals);
  const callStarted = new Float64Array(data.signals, 16, 1);
  /** Before every call into the adapter: what it is and when it started, for the checker's per-call timeout. */
  const mark = (operation: string): void => {
    Atomics.store(signals, 2, Math.max(0, (HOST_CALLS as readonly string[]).indexOf(operation)));
    callStarted[0] = performance.timeOrigin + performance.now();
  };
  // The checker's own folder (src/ or dist/): its frames are not the adapter's.
  const self = new URL('..', import.meta.url).pathname;
  const post = (message: HostMessage | HostMessage[]): void => {
    port.postMessage(message);
    Atomics.add(signals, 1, 1);
    Atomics.notify(signals, 1);
  };
  const exit = process.exit.bind(process);
  const fatal = (message: string, error: unknown): never => {
    const where = userFrames(error, self);
    post([...held, { type: 'fatal', message, ...(where === undefined ? {} : { where }) }]);
    return exit(1);
  };
  process.exit = ((code?: unknown) => {
    const where = userFrames(new Error('process.exit'), self);
    post([
      ...held,
      {
        type: 'fatal',
        message: `the adapter called process.exit(${code === undefined ? '' : safeText(code)})`,
        ...(where === undefined ? {} : { where }),
      },
    ]);
    return exit(typeof code === 'number' ? code : 1);
  }) as typeof process.exit;
  process.on('uncaughtException', (error) => fatal(`uncaught exception in the adapter: ${errorText(error)}`, error));
  process.on('unhandledRejection', (reason) =>
    fatal(`unhandled rejection in the adapter: ${errorText(reason)}`, reason),
  );

  let adapter: Adapter | undefined;
  const steppers = new Map<number, { stepper: Stepper; size: number }>();
  const schedules = new Map<number, (t: number) => unknown>();
  const tensorSteppers = new Map<number, { stepper: TensorStepper; sizes: number[] }>();
  let busy = false;
  const queue: HostRequest[] = [];

  /**
   * An error met in `operation` as plain data: an adapter fault in the words of
   * src/adapter/checked-call.ts, with the adapter's file:line when it threw.
   */
  const hostError = (operation: string, error: unknown): HostError => {
    const fault = adapterFault(operation, error);
    const where = fault instanceof AdapterError ? userFrames(fault.cause, self) : undefined;
    return {
      operation: fault instanceof AdapterError ? fault.operation : operation,
      message: fault.message,
      ...(where === undefined ? {} : { where }),
    };
  };

  /** Calls into the adapter, then `check` on its (awaited) answer, as every path does (src/adapter/checked-call.ts). */
  const call = <T>(operation: string, work: () => unknown, check: (answer: unknown) => T): T | Promise<T> => {
    mark(operation);
    return checkedCall(operation, work, check);
  };

  /** A script's outcome as plain data: the adapter's error as text with its file:line, a refusal as its reason. */
  const plainOutcome = (outcome: ScriptOutcome): HostScriptOutcome => {
    if (outcome.ok) {
      const { failures } = outcome.result;
      if (failures === undefined) return outcome;
      return {
        ok: true,
        result: { ...outcome.result, failures: failures.map((f) => ({ ...f, error: hostError('schedule', f.error) })) },
      };
    }
    const { error, call } = outcome;
    if (error instanceof UnsupportedValue)
      return {
        ok: false,
        call,
        unsupported: { reason: error.reason, ...(error.config === undefined ? {} : { config: error.config }) },
      };
    return { ok: false, call, error: hostError('step', error) };
  };

  const instance = (handle: number, operation: string): { stepper: Stepper; size: number } => {
    const found = steppers.get(handle);
    if (found === undefined)
      throw {
        operation,
        message: `${operation}: no instance ${handle} (it was disposed or never created)`,
      } satisfies HostError;
    return found;
  };

  const tensorInstance = (handle: number, operation: string): { stepper: TensorStepper; sizes: number[] } => {
    const found = tensorSteppers.get(handle);
    if (found === undefined)
      throw {
        operation,
        message: `${operation}: no instance ${handle} over several tensors (it was disposed or never created)`,
      } satisfies HostError;
    return found;
  };

  const loaded = (): Adapter => {
    if (adapter === undefined) throw { operation: 'load', message: 'the adapter is not loaded' } satisfies HostError;
    return adapter;
  };

  const perform = (
    request: HostRequest,
  ):
    | Omit<Extract<HostMessage, { ok: true }>, 'id' | 'ok'>
    | Promise<Omit<Extract<HostMessage, { ok: true }>, 'id' | 'ok'>> => {
    switch (request.op) {
      case 'load':
        return loadAdapter(modulePath, cwd).then(
          (value) => {
            adapter = value;
            const description = {
              name: value.name,
              dtype: value.dtype,
              optimizers: [...value.optimizers],
              hasSchedule: typeof value.schedule === 'function',
              ...(value.tensors === undefined ? {} : { tensors: requireTensorSupport('tensors', value.tensors) }),
            };
            return {
              description:
                value.schedules === undefined ? description : { ...description, schedules: [...value.schedules] },
            };
          },
          (error: unknown) => {
            // Its message names the module and quotes the error, as loadAdapter's does in-process.
            if (error instanceof AdapterLoadError)
              throw { operation: 'load', message: error.message, reason: error.reason } satisfies HostError;
            // A getter of the default export threw while it was validated.
            const where = userFrames(error, self);
            const message = `adapter module ${JSON.stringify(modulePath)}: reading its default export threw: ${errorText(error)}`;
            throw {
              operation: 'load',
              message,
              reason: 'invalid',
              ...(where === undefined ? {} : { where }),
            } satisfies HostError;
          },
        );
      case 'ping':
        return {};
      case 'create': {
        const a = loaded();
        const pristine = request.x0.slice();
        return call(
          'create',
          () => a.create(request.config, request.x0),
          (answer) => {
            steppers.set(request.handle, { stepper: checkStepper(answer, request.config), size: request.x0.length });
            return { mutated: [changed(pristine, request.x0)] };
          },
        );
      }
      case 'step': {
        const { stepper, size } = instance(request.handle, 'step');
        const pristine = request.grad.slice();
        return call(
          'step',
          () =>
            request.learningRate === undefined
              ? stepper.step(request.grad)
              : stepper.step(request.grad, request.learningRate),
          (out) => ({ x: copyParameters(out, size, 'step'), mutated: [changed(pristine, request.grad)] }),
        );
      }
      case 'steps': {
        const { stepper, size } = instance(request.handle, 'steps');
        const pristine = request.grads.map((g) => g.slice());
        const finish = (xs: Float64Array[]) => ({
          xs,
          mutated: request.grads.map((g, k) => changed(pristine[k]!, g)),
        });
        let batch: Stepper['steps'];
        try {
          batch = stepper.steps;
        } catch (error) {
          throw adapterFault('steps', error);
        }
        if (typeof batch === 'function') {
          const rates = request.learningRates;
          return call(
            'steps',
            () =>
              rates === undefined ? batch.call(stepper, request.grads) : batch.call(stepper, request.grads, rates),
            (out) => finish(copyBatch(out, request.grads.length, size)),
          );
        }
        // No batched steps of its own: one `step` per gradient, here, so the batch costs one round trip.
        const xs: Float64Array[] = [];
        const next = (k: number): ReturnType<typeof finish> | Promise<ReturnType<typeof finish>> => {
          for (; k < request.grads.length; k++) {
            const lr = request.learningRates?.[k];
            const grad = request.grads[k]!;
            const result = call(
              'step',
              () => (lr === undefined ? stepper.step(grad) : stepper.step(grad, lr)),
              (out) => copyParameters(out, size, 'step'),
            );
            if (result instanceof Promise) {
              const at = k;
              return result.then((x) => {
                xs.push(x);
                return next(at + 1);
              });
            }
            xs.push(result);
          }
          return finish(xs);
        };
        return next(0);
      }
      case 'scripts':
        return runScriptsLocally(loaded(), decodeScripts(request.batch), mark, (k) =>
          Atomics.store(signals, 3, k),
        ).then((outcomes) => ({ outcomes: encodeOutcomes(outcomes.map(plainOutcome)) }));
      case 'createTensors': {
        const a = loaded();
        return call(
          'createTensors',
          () => a.createTensors?.(request.spec),
          (answer) => {
            // A refusal is an answer, as create's in a script: the checker skips what needs the configuration.
            if (isUnsupported(answer)) return { refused: answer.unsupported };
            const sizes = request.spec.groups.flatMap((g) => g.x0.map((x) => x.length));
            tensorSteppers.set(request.handle, { stepper: checkTensorStepper(answer), sizes });
            return {};
          },
        );
      }
      case 'stepTensors': {
        const { stepper, sizes } = tensorInstance(request.handle, 'step');
        const grads = request.grads.map((g) => (g === null ? undefined : g));
        return call(
          'step',
          () =>
            request.learningRates === undefined ? stepper.step(grads) : stepper.step(grads, request.learningRates),
          (out) => ({ xs: copyTensors(out, sizes) }),
        );
      }
      case 'save': {
        const { stepper } = tensorInstance(request.handle, 'save');
        return call(
          'save',
          () => {
            if (typeof stepper.save !== 'function')
              throw new AdapterError('the adapter declares saveRestore but its instance has no save method', 'save');
            return stepper.save();
          },
          (state) => ({ state: checkpoint(state) }),
        );
      }
      case 'restore': {
        const { stepper } = tensorInstance(request.handle, 'restore');
        return call(
          'restore',
          () => {
            if (typeof stepper.restore !== 'function')
              throw new AdapterError(
                'the adapter declares saveRestore but its instance has no restore method',
                'restore',
              );
            return stepper.restore(request.state, request.params);
          },
          () => ({}),
        );
      }
      case 'dispose': {
        const tensors = tensorSteppers.get(request.handle);
        if (tensors !== undefined) {
          tensorSteppers.delete(request.handle);
          return call(
            'dispose',
            () => (typeof tensors.stepper.dispose === 'function' ? tensors.stepper.dispose() : undefined),
            () => ({}),
          );
        }
        const { stepper } = instance(request.handle, 'dispose');
        steppers.delete(request.handle);
        return call(
          'dispose',
          () => {
            const dispose = stepper.dispose;
            return typeof dispose === 'function' ? dispose.call(stepper) : undefined;
          },
          () => ({}),
        );
      }
      case 'schedule': {
        const a = loaded();
        return call(
          'schedule',
          () => a.schedule?.(request.config),
          (answer) => {
            schedules.set(request.handle, checkSchedule(answer, request.config));
            return {};
          },
        );
      }
      case 'values': {
        const fn = schedules.get(request.handle);
        if (fn === undefined)
          throw { operation: 'schedule', message: `schedule: no schedule ${request.handle}` } satisfies HostError;
        const values = new Float64Array(request.t.length);
        for (let i = 0; i < request.t.length; i++) {
          const t = request.t[i]!;
          let error: HostError | undefined;
          try {
            values[i] = scheduleValueAt(fn, t);
          } catch (thrown) {
            error = hostError('schedule', thrown);
          }
          if (error !== undefined) {
            // Values asked ahead of need: only the first is owed; a later failure is reported if that t is asked.
            if (i === 0) throw error;
            return { values: values.slice(0, i), failedAt: i, failure: error };
          }
        }
        return { values };
      }
    }
  };

  /** Answers to requests nobody waits for, sent with the next answer somebody does wait for (one message, not several). */
  let held: HostMessage[] = [];
  const reply = (request: HostRequest, message: HostMessage): void => {
    if (request.quiet === true) {
      held.push(message);
      return;
    }
    const batch = held;
    held = [];
    batch.push(message);
    post(batch.length === 1 ? message : batch);
  };
  const answer = (request: HostRequest, fields: object): void =>
    reply(request, { id: request.id, ok: true, ...fields } as HostMessage);
  const refuse = (request: HostRequest, error: unknown): void => {
    // The host's own refusals are HostErrors already; anything else (an adapter fault) is made one.
    const e =
      !(error instanceof Error) &&
      typeof error === 'object' &&
      error !== null &&
      'operation' in error &&
      'message' in error
        ? (error as HostError)
        : hostError(request.op, error);
    reply(request, { id: request.id, ok: false, error: e });
  };

  const dispatch = (request: HostRequest): void => {
    if (busy) {
      queue.push(request);
      return;
    }
    let result: ReturnType<typeof perform>;
    try {
      result = perform(request);
    } catch (error) {
      refuse(request, error);
      return;
    }
    if (!(result instanceof Promise)) {
      answer(request, result);
      return;
    }
    busy = true;
    // Answered after a turn of the event loop: a promise the adapter left rejected and unhandled during the work is
    // reported first (process 'unhandledRejection' fires once the microtasks drain), so it is this request's error.
    const settle = (send: () => void): void => {
      setImmediate(() => {
        send();
        busy = false;
        while (!busy && queue.length > 0) dispatch(queue.shift()!);
        pump();
      });
    };
    result.then(
      (fields) => settle(() => answer(request, fields)),
      (error: unknown) => settle(() => refuse(request, error)),
    );
  };

  /**
   * Serves requests that follow at once without a trip through the event loop
   * (the checker waits synchronously for fast answers), for at most a slice of
   * PUMP_SLICE_MS: then the event loop runs, so that the adapter's own timers,
   * promise jobs and unhandled rejections are not starved by a busy checker.
   */
  const pump = (): void => {
    const until = performance.now() + PUMP_SLICE_MS;
    let served = false;
    while (!busy) {
      const seen = Atomics.load(signals, 0);
      const received = receiveMessageOnPort(port);
      if (received !== undefined) {
        receive(received.message as HostRequest | HostRequest[]);
        served = true;
        continue;
      }
      const left = until - performance.now();
      if (left <= 0 || Atomics.wait(signals, 0, seen, left) === 'timed-out') {
        if (served) setImmediate(pump);
        return;
      }
    }
  };

  /** One request, or several sent together (queued ones before an awaited one), served in order. */
  const receive = (message: HostRequest | HostRequest[]): void => {
    if (Array.isArray(message)) for (const request of message) dispatch(request);
    else dispatch(message);
  };
  port.on('message', (message: HostRequest | HostRequest[]) => {
    receive(message);
    pump();
  });
  post({ type: 'ready' });
}
