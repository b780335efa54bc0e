import type { OptimizerConfig, ScheduleConfig } from '../reference/index.js';
import {
  checkedCall,
  checkedSyncCall,
  checkSchedule,
  checkStepper,
  copyBatch,
  copyParameters,
  noScheduleMethod,
  scheduleValueAt,
} from './checked-call.js';
import type { Adapter, Stepper } from './contract.js';

/** One optimizer instance of the adapter, seen only through copies. */
export interface Run {
  readonly size: number;
  /**
   * One step; the adapter gets `grad` itself when `own` is true (the immutability
   * law), else a fresh copy. Returns a copy of the parameters after the step.
   */
  step(grad: Float64Array, learningRate?: number, own?: boolean): Promise<Float64Array>;
  /** The adapter's batched `steps`, when it has one: one call for a whole open-loop sequence; `own` as for `step`. */
  steps?(
    grads: readonly Float64Array[],
    learningRates: readonly (number | undefined)[],
    own?: boolean,
  ): Promise<Float64Array[]>;
  dispose(): Promise<void>;
}

/**
 * Creates an instance. Any throw or rejection of the adapter becomes an
 * AdapterError (src/adapter/checked-call.ts), which `checkLaw` reports as `error`, not as a law failure.
 * `own` hands `x0` itself to the adapter (the immutability law), else a copy.
 */
export async function start(adapter: Adapter, config: OptimizerConfig, x0: Float64Array, own = false): Promise<Run> {
  const stepper = await checkedCall(
    'create',
    () => adapter.create(config, own ? x0 : x0.slice()),
    (answer) => checkStepper(answer, config),
  );
  const size = x0.length;
  const batch = checkedSyncCall(
    'create',
    () => stepper.steps,
    (steps) => (typeof steps === 'function' ? (steps.bind(stepper) as NonNullable<Stepper['steps']>) : undefined),
  );
  return {
    size,
    ...(batch === undefined
      ? {}
      : {
          async steps(
            grads: readonly Float64Array[],
            learningRates: readonly (number | undefined)[],
            ownGrads = false,
          ) {
            return checkedCall(
              'steps',
              () =>
                batch(
                  ownGrads ? [...grads] : grads.map((g) => g.slice()),
                  learningRates.some((lr) => lr !== undefined) ? [...learningRates] : undefined,
                ),
              (answer) => copyBatch(answer, grads.length, size),
            );
          },
        }),
    async step(grad, learningRate, ownGrad = false) {
      return checkedCall(
        'step',
        () => stepper.step(ownGrad ? grad : grad.slice(), learningRate),
        (answer) => copyParameters(answer, size, 'step'),
      );
    },
    async dispose() {
      await checkedCall(
        'dispose',
        () => stepper.dispose?.(),
        () => undefined,
      );
    },
  };
}

/** The adapter's schedule as a checked function; throws an AdapterError on misbehaviour. */
export function scheduleOf(adapter: Adapter, config: ScheduleConfig): (t: number) => number {
  const fn = checkedSyncCall(
    'schedule',
    () => {
      if (typeof adapter.schedule !== 'function') throw noScheduleMethod();
      return adapter.schedule(config);
    },
    (answer) => checkSchedule(answer, config),
  );
  return (t: number): number => scheduleValueAt(fn, t);
}
