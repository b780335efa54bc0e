import {
  type Adapter,
  AdapterError,
  checkpoint,
  checkTensorStepper,
  copyTensors,
  errorText,
  type TensorAdapter,
  type TensorStepper,
  type TensorsSpec,
} from '../adapter/index.js';
import { type GuardOptions, guarded } from './guard.js';

/** An instance over several tensors whose answers are validated copies; see {@link createTensorsGuarded}. */
export interface GuardedTensorStepper {
  /** Every tensor's values after the step, copied. */
  step(
    grads: readonly (ArrayLike<number> | undefined)[],
    learningRates?: readonly (number | undefined)[],
  ): Promise<Float64Array[]>;
  /** The saved state as a checkpoint keeps it ({@link checkpoint}). */
  save(): Promise<unknown>;
  restore(state: unknown, params: readonly ArrayLike<number>[]): Promise<void>;
  dispose(): Promise<void>;
}

/** The adapter's `createTensors`, or undefined (reading it may throw: then it has none). */
function createTensorsOf(adapter: Adapter & TensorAdapter): TensorAdapter['createTensors'] {
  try {
    const own = adapter.createTensors;
    return typeof own === 'function' ? own.bind(adapter) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Creates an instance over several tensors under the guard (src/conformance/guard.ts): the
 * adapter gets copies, every call has the timeouts, every answer is validated and copied at
 * once, a refusal becomes {@link UnsupportedValue} and every misbehaviour an {@link AdapterError}.
 */
export async function createTensorsGuarded(
  adapter: Adapter & TensorAdapter,
  spec: TensorsSpec,
  options: GuardOptions,
): Promise<GuardedTensorStepper> {
  const create = createTensorsOf(adapter);
  if (create === undefined)
    throw new AdapterError('the adapter declares tensors support but has no createTensors method', 'createTensors');
  const sizes = spec.groups.flatMap((g) => g.x0.map((x) => x.length));
  const handed: TensorsSpec = {
    groups: spec.groups.map((g) => ({
      config: structuredClone(g.config),
      ...(g.schedule === undefined ? {} : { schedule: structuredClone(g.schedule) }),
      x0: g.x0.map((x) => Float64Array.from(x)),
    })),
  };
  const answer = await guarded('createTensors', options, () => create(handed));
  const inner = await guarded('createTensors', options, () => checkTensorStepper(answer, spec.groups[0]?.config));
  const method = async <K extends 'step' | 'save' | 'restore' | 'dispose'>(name: K) =>
    guarded(name, options, () => {
      const own = inner[name];
      return typeof own === 'function' ? (own.bind(inner) as NonNullable<TensorStepper[K]>) : undefined;
    });
  return {
    async step(grads, learningRates) {
      const step = (await method('step'))!;
      const copies = grads.map((g) => (g === undefined ? undefined : Float64Array.from(g)));
      const rates = learningRates === undefined ? undefined : [...learningRates];
      const out = await guarded('step', options, () => (rates === undefined ? step(copies) : step(copies, rates)));
      return guarded('step', options, () => copyTensors(out, sizes));
    },
    async save() {
      const save = await method('save');
      if (save === undefined)
        throw new AdapterError('the adapter declares saveRestore but its instance has no save method', 'save');
      const state = await guarded('save', options, () => save());
      try {
        return checkpoint(state);
      } catch (error) {
        if (error instanceof AdapterError) throw error;
        throw new AdapterError(`save returned a state JSON cannot hold: ${errorText(error)}`, 'save', { cause: error });
      }
    },
    async restore(state, params) {
      const restore = await method('restore');
      if (restore === undefined)
        throw new AdapterError('the adapter declares saveRestore but its instance has no restore method', 'restore');
      // A fresh copy of the checkpoint each time: an adapter that keeps and changes it cannot change the next restore.
      const copy = checkpoint(state);
      const values = params.map((p) => Float64Array.from(p));
      await guarded('restore', options, () => restore(copy, values));
    },
    async dispose() {
      const dispose = await method('dispose');
      if (dispose !== undefined) await guarded('dispose', options, () => dispose());
    },
  };
}
