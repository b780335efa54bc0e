import {
  copyBatch,
  copyTensors,
  decodeState,
  encodeState,
  prefetchingSchedule,
  type Stepper,
  type TensorStepper,
  type TensorsSpec,
  type Unsupported,
  UnsupportedValue,
  unsupported,
} from '../adapter/index.js';
import { describeValue, type OptimizerConfig, type ScheduleConfig } from '../reference/index.js';
import type { ChildSession } from './child-session.js';
import type { Answer } from './connection.js';
import type { Handle, ProtocolOp, WireConfig } from './messages.js';
import { encodeNumber, encodeVector, fromWire, WIRE_ELEMENT, type WireNumber } from './wire-number.js';

/** A Stepper over the protocol: every method is asynchronous, `steps` is always there. */
export interface SpawnedStepper extends Stepper {
  step(grad: Float64Array, learningRate?: number): Promise<Float64Array>;
  steps(grads: readonly Float64Array[], learningRates?: readonly (number | undefined)[]): Promise<Float64Array[]>;
  dispose(): Promise<void>;
}

function requireTimes(t: readonly number[]): number[] {
  if (!Array.isArray(t)) throw new TypeError(`t must be an array of times, got ${describeValue(t)}`);
  return t.map((v, i) => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
      throw new RangeError(`t[${i}] must be a non-negative integer, got ${describeValue(v)}`);
    return v;
  });
}

/** A config's fields with numbers encoded for the wire; throws a TypeError naming a field that is neither. */
function encodeConfig(config: OptimizerConfig | ScheduleConfig): WireConfig {
  if (typeof config !== 'object' || config === null)
    throw new TypeError(`config must be an object, got ${describeValue(config)}`);
  const out: WireConfig = {};
  for (const [key, value] of Object.entries(config)) {
    if (value === undefined) continue;
    if (typeof value === 'number') out[key] = encodeNumber(value);
    else if (typeof value === 'string') out[key] = value;
    else throw new TypeError(`config.${key} must be a number or a string, got ${describeValue(value)}`);
  }
  return out;
}

/** A refusal of `config` names it; any other error passes as it is. */
function withConfig(error: unknown, config: OptimizerConfig | ScheduleConfig): unknown {
  return error instanceof UnsupportedValue ? new UnsupportedValue(error.reason, config) : error;
}

/** The learning rates of a batch for the wire, when any is given (`null` where none is). */
function wireRates(learningRates: readonly (number | undefined)[]): (WireNumber | null)[] {
  return learningRates.map((lr): WireNumber | null => (lr === undefined ? null : encodeNumber(lr)));
}

/** The handle in a create's answer, and the guard that a disposed instance is not called again. */
function instanceHandle(
  session: ChildSession,
  op: ProtocolOp,
  answer: Answer,
): { handle: Handle; alive(op: ProtocolOp): void; dispose(): boolean } {
  const handle = session.decode(op, () => {
    const h = answer.handle;
    if (typeof h === 'string' || (typeof h === 'number' && Number.isSafeInteger(h))) return h as Handle;
    throw new TypeError(`handle must be a string or an integer, got ${describeValue(h)}`);
  });
  let disposed = false;
  return {
    handle,
    alive(at) {
      if (disposed) throw session.connection.fail(at, `instance ${JSON.stringify(handle)} was disposed`);
    },
    /** Marks the instance disposed; false if it already was. */
    dispose() {
      if (disposed) return false;
      disposed = true;
      return true;
    },
  };
}

/** An instance in the child; a configuration the child refuses as unsupported rejects with {@link UnsupportedValue}. */
export async function spawnedStepper(
  session: ChildSession,
  config: OptimizerConfig,
  x0: Float64Array,
): Promise<SpawnedStepper> {
  const size = x0.length;
  let answer: Answer;
  try {
    answer = await session.ask('create', { config: encodeConfig(config), x0: encodeVector(x0) });
  } catch (error) {
    throw withConfig(error, config);
  }
  const instance = instanceHandle(session, 'create', answer);
  const { handle } = instance;
  return {
    async step(grad: Float64Array, learningRate?: number): Promise<Float64Array> {
      instance.alive('step');
      const fields: Record<string, unknown> = { handle, grad: encodeVector(grad) };
      if (learningRate !== undefined) fields.learningRate = encodeNumber(learningRate);
      return session.readVector('step', (await session.ask('step', fields, { answerNumbers: size })).x, size);
    },
    async steps(
      grads: readonly Float64Array[],
      learningRates?: readonly (number | undefined)[],
    ): Promise<Float64Array[]> {
      instance.alive('steps');
      const fields: Record<string, unknown> = { handle, grads: grads.map((g) => encodeVector(g)) };
      if (learningRates?.some((lr) => lr !== undefined)) {
        if (learningRates.length !== grads.length) {
          throw new RangeError(
            `learningRates must have the length of grads (${grads.length}), got length ${learningRates.length}`,
          );
        }
        fields.learningRates = wireRates(learningRates);
      }
      const { xs } = await session.ask('steps', fields, { answerNumbers: grads.length * size });
      return session.checked('steps', () =>
        copyBatch(Array.isArray(xs) ? xs.map(fromWire) : xs, grads.length, size, WIRE_ELEMENT),
      );
    },
    async dispose(): Promise<void> {
      if (!instance.dispose()) return;
      await session.ask('dispose', { handle });
    },
  };
}

/** An instance over several tensors (docs/spec.md section 9); its state crosses as JSON with the protocol's numbers. */
export async function spawnedTensorStepper(
  session: ChildSession,
  spec: TensorsSpec,
): Promise<TensorStepper | Unsupported> {
  const sizes = spec.groups.flatMap((g) => g.x0.map((x) => x.length));
  let answer: Answer;
  try {
    answer = await session.ask('createTensors', {
      groups: spec.groups.map((g) => ({
        config: encodeConfig(g.config),
        ...(g.schedule === undefined ? {} : { schedule: encodeConfig(g.schedule) }),
        x0: g.x0.map((x) => encodeVector(x)),
      })),
    });
  } catch (error) {
    if (error instanceof UnsupportedValue) return unsupported(error.reason);
    throw error;
  }
  const instance = instanceHandle(session, 'createTensors', answer);
  const { handle } = instance;
  const total = sizes.reduce((a, b) => a + b, 0);
  return {
    async step(grads, learningRates) {
      instance.alive('stepTensors');
      const fields: Record<string, unknown> = {
        handle,
        grads: grads.map((g) => (g === undefined ? null : encodeVector(g))),
      };
      if (learningRates?.some((lr) => lr !== undefined)) fields.learningRates = wireRates(learningRates);
      const xs = (await session.ask('stepTensors', fields, { answerNumbers: total })).xs;
      return session.checked('stepTensors', () =>
        copyTensors(Array.isArray(xs) ? xs.map(fromWire) : xs, sizes, WIRE_ELEMENT),
      );
    },
    async save() {
      instance.alive('save');
      const saved = await session.ask('save', { handle }, { answerNumbers: 4 * total });
      return session.decode('save', () => decodeState(saved.state));
    },
    async restore(state, params) {
      instance.alive('restore');
      await session.ask('restore', { handle, state: encodeState(state), params: params.map((p) => encodeVector(p)) });
    },
    async dispose() {
      if (!instance.dispose()) return;
      await session.ask('dispose', { handle });
    },
  };
}

/** Batched schedule values in one round trip. */
export async function spawnedScheduleValues(
  session: ChildSession,
  config: ScheduleConfig,
  t: readonly number[],
): Promise<Float64Array> {
  const times = requireTimes(t);
  let answer: Answer;
  try {
    answer = await session.ask('schedule', { config: encodeConfig(config), t: times }, { answerNumbers: times.length });
  } catch (error) {
    throw withConfig(error, config);
  }
  return session.readVector('schedule', answer.values, times.length);
}

/**
 * The Adapter contract's schedule is synchronous, so a lookup is a blocking
 * round trip. The config is sent once at once, with no times, so a config the
 * child rejects fails here, as in the reference. Values are fetched ahead
 * (src/adapter/schedule-prefetch.ts): a schedule is a pure function of `t`
 * (docs/protocol.md), and if the child refuses a batch, `t` alone is asked.
 */
export function spawnedSchedule(session: ChildSession, config: ScheduleConfig): (t: number) => number {
  const wire = encodeConfig(config);
  let check: Answer;
  try {
    check = session.askSync('schedule', { config: wire, t: [] }, 0);
  } catch (error) {
    throw withConfig(error, config);
  }
  session.readVector('schedule', check.values, 0);
  const lookup = prefetchingSchedule(
    (times) => ({
      values: session.readVector(
        'schedule',
        session.askSync('schedule', { config: wire, t: times }, times.length).values,
        times.length,
      ),
    }),
    (error) => session.connection.isRefusal(error),
  );
  return (t: number): number => lookup(requireTimes([t])[0]!);
}
