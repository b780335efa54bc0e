import {
  type Adapter,
  AdapterError,
  AdapterLoadError,
  adapterFault,
  checkedCall,
  checkpoint,
  checkSchedule,
  checkStepper,
  checkTensorStepper,
  copyBatch,
  copyParameters,
  copyTensors,
  errorText,
  isUnsupported,
  loadAdapter,
  requireTensorSupport,
  runScriptsLocally,
  type ScriptOutcome,
  type Stepper,
  scheduleValueAt,
  type TensorStepper,
  UnsupportedValue,
} from '../adapter/index.js';
import { changed, hostError, userFrames } from './host-faults.js';
import type { HostError, HostMessage, HostRequest, HostScriptOutcome } from './host-protocol.js';
import { decodeScripts, encodeOutcomes } from './script-wire.js';

/** The fields of an answer, without its id. */
export type HostFields = Omit<Extract<HostMessage, { ok: true }>, 'id' | 'ok'>;
/** A handler's answer: at once, or once the adapter's promise settles. */
export type Served = HostFields | Promise<HostFields>;
/** The request of one operation. */
type RequestOf<Op extends HostRequest['op']> = Extract<HostRequest, { op: Op }>;

/**
 * What the host keeps between requests: the loaded adapter, its instances and
 * schedules by the checker's handles, and how a call into the adapter is made
 * (marked for the checker's per-call timeout, then checked as on every path).
 */
export class HostState {
  adapter: Adapter | undefined;
  readonly steppers = new Map<number, { stepper: Stepper; size: number }>();
  readonly schedules = new Map<number, (t: number) => unknown>();
  readonly tensorSteppers = new Map<number, { stepper: TensorStepper; sizes: number[] }>();

  constructor(
    readonly modulePath: string,
    readonly cwd: string,
    /** Before every call into the adapter: what it is and when it started. */
    readonly mark: (operation: string) => void,
    /** The script of a batch in progress, for the checker to blame on a hang. */
    readonly markScript: (k: number) => void,
    /** How the module is loaded: loadAdapter by default; the browser page's host has it bundled already. */
    readonly loader: () => Promise<Adapter> = () => loadAdapter(modulePath, cwd),
  ) {}

  /** Calls into the adapter, then `check` on its (awaited) answer, as every path does (src/adapter/checked-call.ts). */
  call<T>(operation: string, work: () => unknown, check: (answer: unknown) => T): T | Promise<T> {
    this.mark(operation);
    return checkedCall(operation, work, check);
  }

  /** The instance of `handle`, or the host's refusal naming it. */
  instance(handle: number, operation: string): { stepper: Stepper; size: number } {
    const found = this.steppers.get(handle);
    if (found === undefined)
      throw {
        operation,
        message: `${operation}: no instance ${handle} (it was disposed or never created)`,
      } satisfies HostError;
    return found;
  }

  /** The instance over several tensors of `handle`, or the host's refusal naming it. */
  tensorInstance(handle: number, operation: string): { stepper: TensorStepper; sizes: number[] } {
    const found = this.tensorSteppers.get(handle);
    if (found === undefined)
      throw {
        operation,
        message: `${operation}: no instance ${handle} over several tensors (it was disposed or never created)`,
      } satisfies HostError;
    return found;
  }

  /** The adapter, once `load` has succeeded. */
  loaded(): Adapter {
    if (this.adapter === undefined)
      throw { operation: 'load', message: 'the adapter is not loaded' } satisfies HostError;
    return this.adapter;
  }
}

function load(state: HostState): Promise<HostFields> {
  const { modulePath } = state;
  return state.loader().then(
    (value) => {
      state.adapter = value;
      const description = {
        name: value.name,
        dtype: value.dtype,
        ...(value.precision === undefined ? {} : { precision: { ...value.precision } }),
        ...(value.arithmetic === undefined ? {} : { arithmetic: value.arithmetic }),
        optimizers: [...value.optimizers],
        hasSchedule: typeof value.schedule === 'function',
        ...(value.tensors === undefined ? {} : { tensors: requireTensorSupport('tensors', value.tensors) }),
      };
      return {
        description: value.schedules === undefined ? description : { ...description, schedules: [...value.schedules] },
      };
    },
    (error: unknown) => {
      // Its message names the module and quotes the error, as loadAdapter's does in-process.
      if (error instanceof AdapterLoadError)
        throw { operation: 'load', message: error.message, reason: error.reason } satisfies HostError;
      // A getter of the default export threw while it was validated.
      const where = userFrames(error);
      const message = `adapter module ${JSON.stringify(modulePath)}: reading its default export threw: ${errorText(error)}`;
      throw {
        operation: 'load',
        message,
        reason: 'invalid',
        ...(where === undefined ? {} : { where }),
      } satisfies HostError;
    },
  );
}

function create(state: HostState, request: RequestOf<'create'>): Served {
  const a = state.loaded();
  const pristine = request.x0.slice();
  return state.call(
    'create',
    () => a.create(request.config, request.x0),
    (answer) => {
      state.steppers.set(request.handle, { stepper: checkStepper(answer, request.config), size: request.x0.length });
      return { mutated: [changed(pristine, request.x0)] };
    },
  );
}

function step(state: HostState, request: RequestOf<'step'>): Served {
  const { stepper, size } = state.instance(request.handle, 'step');
  const pristine = request.grad.slice();
  return state.call(
    'step',
    () =>
      request.learningRate === undefined
        ? stepper.step(request.grad)
        : stepper.step(request.grad, request.learningRate),
    (out) => ({ x: copyParameters(out, size, 'step'), mutated: [changed(pristine, request.grad)] }),
  );
}

function steps(state: HostState, request: RequestOf<'steps'>): Served {
  const { stepper, size } = state.instance(request.handle, 'steps');
  const pristine = request.grads.map((g) => g.slice());
  const finish = (xs: Float64Array[]): HostFields => ({
    xs,
    mutated: request.grads.map((g, k) => changed(pristine[k]!, g)),
  });
  let batch: Stepper['steps'];
  try {
    batch = stepper.steps;
  } catch (error) {
    throw adapterFault('steps', error);
  }
  if (typeof batch !== 'function') return stepOneByOne(state, request, stepper, size, finish);
  const rates = request.learningRates;
  return state.call(
    'steps',
    () => (rates === undefined ? batch.call(stepper, request.grads) : batch.call(stepper, request.grads, rates)),
    (out) => finish(copyBatch(out, request.grads.length, size)),
  );
}

/** No batched steps of its own: one `step` per gradient, here, so the batch costs one round trip. */
function stepOneByOne(
  state: HostState,
  request: RequestOf<'steps'>,
  stepper: Stepper,
  size: number,
  finish: (xs: Float64Array[]) => HostFields,
): Served {
  const xs: Float64Array[] = [];
  const next = (k: number): Served => {
    for (; k < request.grads.length; k++) {
      const lr = request.learningRates?.[k];
      const grad = request.grads[k]!;
      const result = state.call(
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

/** A script's outcome as plain data: the adapter's error as text with its file:line, a refusal as its reason. */
function plainOutcome(outcome: ScriptOutcome): HostScriptOutcome {
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
}

function scripts(state: HostState, request: RequestOf<'scripts'>): Served {
  return runScriptsLocally(state.loaded(), decodeScripts(request.batch), state.mark, state.markScript).then(
    (outcomes) => ({ outcomes: encodeOutcomes(outcomes.map(plainOutcome)) }),
  );
}

function createTensors(state: HostState, request: RequestOf<'createTensors'>): Served {
  const a = state.loaded();
  return state.call(
    'createTensors',
    () => a.createTensors?.(request.spec),
    (answer) => {
      // A refusal is an answer, as create's in a script: the checker skips what needs the configuration.
      if (isUnsupported(answer)) return { refused: answer.unsupported };
      const sizes = request.spec.groups.flatMap((g) => g.x0.map((x) => x.length));
      state.tensorSteppers.set(request.handle, { stepper: checkTensorStepper(answer), sizes });
      return {};
    },
  );
}

function stepTensors(state: HostState, request: RequestOf<'stepTensors'>): Served {
  const { stepper, sizes } = state.tensorInstance(request.handle, 'step');
  const grads = request.grads.map((g) => (g === null ? undefined : g));
  return state.call(
    'step',
    () => (request.learningRates === undefined ? stepper.step(grads) : stepper.step(grads, request.learningRates)),
    (out) => ({ xs: copyTensors(out, sizes) }),
  );
}

function save(state: HostState, request: RequestOf<'save'>): Served {
  const { stepper } = state.tensorInstance(request.handle, 'save');
  return state.call(
    'save',
    () => {
      if (typeof stepper.save !== 'function')
        throw new AdapterError('the adapter declares saveRestore but its instance has no save method', 'save');
      return stepper.save();
    },
    (saved) => ({ state: checkpoint(saved) }),
  );
}

function restore(state: HostState, request: RequestOf<'restore'>): Served {
  const { stepper } = state.tensorInstance(request.handle, 'restore');
  return state.call(
    'restore',
    () => {
      if (typeof stepper.restore !== 'function')
        throw new AdapterError('the adapter declares saveRestore but its instance has no restore method', 'restore');
      return stepper.restore(request.state, request.params);
    },
    () => ({}),
  );
}

function dispose(state: HostState, request: RequestOf<'dispose'>): Served {
  const tensors = state.tensorSteppers.get(request.handle);
  if (tensors !== undefined) {
    state.tensorSteppers.delete(request.handle);
    return state.call(
      'dispose',
      () => (typeof tensors.stepper.dispose === 'function' ? tensors.stepper.dispose() : undefined),
      () => ({}),
    );
  }
  const { stepper } = state.instance(request.handle, 'dispose');
  state.steppers.delete(request.handle);
  return state.call(
    'dispose',
    () => {
      const own = stepper.dispose;
      return typeof own === 'function' ? own.call(stepper) : undefined;
    },
    () => ({}),
  );
}

function schedule(state: HostState, request: RequestOf<'schedule'>): Served {
  const a = state.loaded();
  return state.call(
    'schedule',
    () => a.schedule?.(request.config),
    (answer) => {
      state.schedules.set(request.handle, checkSchedule(answer, request.config));
      return {};
    },
  );
}

function values(state: HostState, request: RequestOf<'values'>): Served {
  const fn = state.schedules.get(request.handle);
  if (fn === undefined)
    throw { operation: 'schedule', message: `schedule: no schedule ${request.handle}` } satisfies HostError;
  const out = new Float64Array(request.t.length);
  for (let i = 0; i < request.t.length; i++) {
    const t = request.t[i]!;
    let error: HostError | undefined;
    try {
      out[i] = scheduleValueAt(fn, t);
    } catch (thrown) {
      error = hostError('schedule', thrown);
    }
    if (error !== undefined) {
      // Values asked ahead of need: only the first is owed; a later failure is reported if that t is asked.
      if (i === 0) throw error;
      return { values: out.slice(0, i), failedAt: i, failure: error };
    }
  }
  return { values: out };
}

/** One handler per operation of the host protocol (src/isolation/host-protocol.ts). */
const HANDLERS: { [Op in HostRequest['op']]: (state: HostState, request: RequestOf<Op>) => Served } = {
  load,
  ping: () => ({}),
  create,
  step,
  steps,
  scripts,
  createTensors,
  stepTensors,
  save,
  restore,
  dispose,
  schedule,
  values,
};

/** Serves one request with its operation's handler; a refusal or a fault is thrown (or rejected). */
export function perform(state: HostState, request: HostRequest): Served {
  return (HANDLERS[request.op] as (state: HostState, request: HostRequest) => Served)(state, request);
}
