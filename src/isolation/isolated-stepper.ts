import {
  AdapterError,
  prefetchingSchedule,
  type Stepper,
  type TensorStepper,
  type TensorsSpec,
  type Unsupported,
  unsupported,
} from '../adapter/index.js';
import type { OptimizerConfig, ScheduleConfig } from '../reference/index.js';
import { type HostAnswer, type HostCall, type HostConnection, hostErrorText } from './host-connection.js';
import { type WorkerSession, workerVector } from './worker-session.js';

/** Copies the adapter's changes of the arrays it was handed back into the checker's (the immutability check sees them). */
function writeBack(targets: readonly ArrayLike<number>[], mutated: HostAnswer['mutated']): void {
  mutated?.forEach((values, k) => {
    const target = targets[k];
    if (values instanceof Float64Array && target instanceof Float64Array && values.length === target.length)
      target.set(values);
  });
}

/** Sends `dispose` without waiting: its failure is thrown by the session's next call. */
function postDispose(session: WorkerSession, host: HostConnection, handle: number): void {
  host.post(
    { op: 'dispose', handle },
    'dispose',
    (outcome) => {
      if (!outcome.ok) session.defer(outcome.error);
    },
    session.limits,
  );
}

/**
 * An instance in the worker. `create` and `dispose` are sent without waiting
 * (one round trip each saved, thousands per check): the host serves in order,
 * so a failed `create` is thrown by the instance's first call, and a failed
 * `dispose` by the next call. A mutation of `x0` is copied back when the
 * create's answer is read.
 */
export function isolatedStepper(session: WorkerSession, config: OptimizerConfig, x0: Float64Array): Stepper {
  const host = session.current('create');
  session.takeDeferred();
  const { limits } = session;
  const size = x0.length;
  const handle = session.handle();
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
    session.takeDeferred();
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
      return workerVector('step', result.x, size);
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
      return result.xs.map((x) => workerVector('steps', x, size));
    },
    async dispose() {
      // A worker that ended took its instances with it, and one still busy with a call the checker gave up on
      // (its own timer fired first) is about to be ended: nothing to dispose; the error of that call is the one to report.
      if (disposed || host.broken !== undefined || host.busy) return;
      disposed = true;
      if (createFailure !== undefined) throw createFailure;
      session.takeDeferred();
      postDispose(session, host, handle);
    },
  };
}

/**
 * An instance over several tensors (docs/spec.md section 9) in the worker: every call one
 * round trip (a check makes a few hundred); the saved state crosses as the checkpoint the
 * worker made of it.
 */
export async function isolatedTensorStepper(
  session: WorkerSession,
  spec: TensorsSpec,
): Promise<TensorStepper | Unsupported> {
  const host = session.current('createTensors');
  session.takeDeferred();
  const { limits } = session;
  const handle = session.handle();
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
    session.takeDeferred();
    return session.current(call.op).request(call, limits);
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
      return result.xs.map((x, i) => workerVector('step', x, sizes[i]!));
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
      session.takeDeferred();
      postDispose(session, host, handle);
    },
  };
}

/** Synchronous like the contract's schedule: each lookup blocks on the worker, values fetched ahead (src/adapter/schedule-prefetch.ts). */
export function isolatedSchedule(session: WorkerSession, config: ScheduleConfig): (t: number) => number {
  const host = session.current('schedule');
  session.takeDeferred();
  const { limits } = session;
  const handle = session.handle();
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
    if (session.interrupted !== undefined) throw new AdapterError(`schedule: ${session.interrupted}`, 'schedule');
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
}
