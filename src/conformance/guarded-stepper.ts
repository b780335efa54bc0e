import { type Adapter, checkStepper, copyBatch, copyParameters, type Stepper } from '../adapter/index.js';
import { firstDifferentBits } from '../numerics/index.js';
import type { OptimizerConfig } from '../reference/index.js';
import { type GuardOptions, guarded } from './guarded-call.js';

/** A mutation of the checker's own arrays that an adapter made (inputs must never be mutated). */
export interface MutationRecord {
  operation: 'create' | 'step';
  /** Step index (0-based) within this instance, for `step`. */
  step: number;
  coordinate: number;
  before: number;
  after: number;
}

/** A stepper whose answers are validated copies; see guardAdapter (src/conformance/guard.ts). */
export interface GuardedStepper {
  step(grad: ArrayLike<number>, learningRate?: number): Promise<Float64Array>;
  /** Uses the adapter's batched `steps` when it has one (one call instead of one per gradient). */
  steps(grads: readonly ArrayLike<number>[], learningRates?: readonly (number | undefined)[]): Promise<Float64Array[]>;
  dispose(): Promise<void>;
  /** Mutations of the inputs handed to this instance, in order. */
  readonly mutations: readonly MutationRecord[];
  /** Whether the adapter's instance has its own batched `steps` (a long run then costs a call per batch, not per step). */
  readonly batched: boolean;
}

/**
 * An instance of `adapter` under the guard: fresh copies of `x0` and every
 * gradient are handed over, every answer is validated and copied at once, and
 * mutations of the handed copies are recorded. With `handOver`, the adapter gets
 * `x0` and each gradient themselves (a script that watches its own copies), and
 * nothing is recorded here.
 */
export async function createGuardedStepper(
  adapter: Adapter,
  options: GuardOptions,
  config: OptimizerConfig,
  x0: ArrayLike<number>,
  handOver = false,
): Promise<GuardedStepper> {
  const size = x0.length;
  const handedX0 = handOver && x0 instanceof Float64Array ? x0 : Float64Array.from(x0);
  const configCopy = structuredClone(config);
  const answer = await guarded('create', options, () => adapter.create(configCopy, handedX0));
  let inner: Stepper | undefined;
  await guarded('create', options, () => {
    inner = checkStepper(answer, config);
  });
  const stepper = inner!;
  let batched = false;
  await guarded('create', options, () => {
    batched = typeof stepper.steps === 'function';
  });
  const mutations: MutationRecord[] = [];
  // Checked again after every call: an adapter behind a worker reports a change of x0 with a later answer (src/isolation).
  let x0Noted = false;
  const noteX0 = (): void => {
    if (x0Noted) return;
    const i = firstDifferentBits(x0, handedX0);
    if (i < 0) return;
    x0Noted = true;
    mutations.unshift({ operation: 'create', step: 0, coordinate: i, before: x0[i]!, after: handedX0[i]! });
  };
  noteX0();
  let count = 0;
  const noteMutation = (pristine: ArrayLike<number>, handed: Float64Array, step: number): void => {
    noteX0();
    const i = firstDifferentBits(pristine, handed);
    if (i >= 0) mutations.push({ operation: 'step', step, coordinate: i, before: pristine[i]!, after: handed[i]! });
  };
  const guardedStepper: GuardedStepper = {
    mutations,
    batched,
    async step(grad, learningRate) {
      const handed = handOver && grad instanceof Float64Array ? grad : Float64Array.from(grad);
      const index = count++;
      const out = await guarded('step', options, () =>
        learningRate === undefined ? stepper.step(handed) : stepper.step(handed, learningRate),
      );
      const copy = copyParameters(out, size, 'step');
      noteMutation(grad, handed, index);
      return copy;
    },
    async steps(grads, learningRates) {
      // Every read of the adapter's objects is guarded: a getter may throw.
      const batch = await guarded('steps', options, () => {
        const own = stepper.steps;
        return typeof own === 'function' ? own.bind(stepper) : undefined;
      });
      if (batch === undefined) {
        const xs: Float64Array[] = [];
        for (let k = 0; k < grads.length; k++) xs.push(await guardedStepper.step(grads[k]!, learningRates?.[k]));
        return xs;
      }
      const handed = grads.map((g) => (handOver && g instanceof Float64Array ? g : Float64Array.from(g)));
      const first = count;
      count += grads.length;
      const rates = learningRates === undefined ? undefined : [...learningRates];
      const out = await guarded('steps', options, () => (rates === undefined ? batch(handed) : batch(handed, rates)));
      let xs: Float64Array[] = [];
      await guarded('steps', options, () => {
        xs = copyBatch(out, grads.length, size);
      });
      for (let k = 0; k < grads.length; k++) noteMutation(grads[k]!, handed[k]!, first + k);
      return xs;
    },
    async dispose() {
      await guarded('dispose', options, () => {
        const own = stepper.dispose;
        return typeof own === 'function' ? own.call(stepper) : undefined;
      });
      noteX0();
    },
  };
  return guardedStepper;
}
