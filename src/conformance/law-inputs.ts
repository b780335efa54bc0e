import {
  type Adapter,
  AdapterError,
  adapterView,
  runScripts,
  runScriptsKey,
  type Script,
  type ScriptOutcome,
  UnsupportedValue,
} from '../adapter/index.js';
import { type Law, LawViolation, type Subject, type ViolationDetail } from '../laws/index.js';
import type { OptimizerConfig, ScheduleConfig } from '../reference/index.js';
import type { Counterexample } from './types.js';

/** One optimizer instance a law's run drove: what it was created with, handed, and returned. */
interface DrivenInstance {
  config: OptimizerConfig;
  x0: number[];
  gradients: number[][];
  learningRates: (number | null)[];
  xs: (ArrayLike<number> | undefined)[];
}

/** What a law's run asked of the implementation, call by call. */
interface Recording {
  instances: DrivenInstance[];
  schedules: ScheduleConfig[];
}

/** Adds one script's calls (and, where it ran, its answers) to the recording. */
function record(recording: Recording, script: Script, outcome: ScriptOutcome | undefined): void {
  const result = outcome?.ok === true ? outcome.result : undefined;
  const mine: DrivenInstance[] = [];
  script.calls.forEach((call, j) => {
    if (call.op === 'create') {
      const instance: DrivenInstance = {
        config: { ...call.config },
        x0: Array.from(call.x0),
        gradients: [],
        learningRates: [],
        xs: [],
      };
      mine.push(instance);
      recording.instances.push(instance);
    } else if (call.op === 'step') {
      const instance = mine[call.instance];
      instance?.gradients.push(Array.from(call.grad));
      instance?.learningRates.push(call.learningRate ?? null);
      instance?.xs.push(result?.xs[j]);
    } else if (call.op === 'closed') {
      const instance = mine[call.instance];
      const loop = result?.loops?.find((l) => l.call === j);
      loop?.grads.forEach((g, t) => {
        instance?.gradients.push(Array.from(g));
        instance?.learningRates.push(null);
        instance?.xs.push(loop.xs[t]);
      });
    } else if (call.op === 'values') recording.schedules.push({ ...call.config });
  });
}

/**
 * The instance whose answer is the violation's `actual` at its step and coordinate (a
 * law that compares two runs of the subject parts in either), else the subject's first.
 */
function partingInstance(
  instances: readonly DrivenInstance[],
  subject: Subject,
  detail: ViolationDetail,
): DrivenInstance | undefined {
  const own = instances.filter((i) => i.config.optimizer === subject);
  const candidates = own.length > 0 ? own : instances;
  const { step, coordinate, actual } = detail;
  const answered = candidates.find(
    (i) =>
      step !== undefined &&
      coordinate !== undefined &&
      actual !== undefined &&
      Object.is(i.xs[step - 1]?.[coordinate], actual),
  );
  return answered ?? candidates[0];
}

/**
 * What a counterexample needs to be re-run by hand: config, x0, gradients and learning rates up to the parting step,
 * and the implementation's x at the coordinate after each of them when `actual` is not that x itself.
 */
export type LawInputs = Pick<Counterexample, 'config' | 'x0' | 'gradients' | 'learningRates' | 'parameters'>;

/**
 * Runs the law once more on its shrunk input through a view that records every call
 * (scripts carry the whole input, the gradients of a closed loop come back with its
 * answers) and returns the inputs of the instance that parts, cut after the parting
 * step: a law's own input names its hyperparameters its own way (`g`, `grads`, `lr`),
 * a user re-running it needs the config and the calls. Undefined when the law drove
 * no instance (a schedule law gives the schedule's config) or the run erred.
 */
export async function recordLawInputs(
  law: Law,
  adapter: Adapter,
  input: unknown,
  detail: ViolationDetail,
): Promise<LawInputs | undefined> {
  const recording: Recording = { instances: [], schedules: [] };
  const view = adapterView(adapter, {
    async [runScriptsKey](scripts: readonly Script[]): Promise<ScriptOutcome[]> {
      const outcomes = await runScripts(adapter, scripts);
      for (const [k, script] of scripts.entries()) record(recording, script, outcomes[k]);
      return outcomes;
    },
  });
  try {
    await law.check(view, input);
  } catch (error) {
    if (!(error instanceof LawViolation || error instanceof AdapterError || error instanceof UnsupportedValue))
      throw error;
  }
  const instance = partingInstance(recording.instances, law.subject, detail);
  if (instance === undefined) {
    const schedule = recording.schedules[0];
    return schedule === undefined ? undefined : { config: schedule };
  }
  const cut = detail.step !== undefined && detail.step >= 1 ? detail.step : instance.gradients.length;
  const inputs: LawInputs = {
    config: instance.config,
    x0: instance.x0,
    gradients: instance.gradients.slice(0, cut),
  };
  const rates = instance.learningRates.slice(0, cut);
  if (rates.some((r) => r !== null)) inputs.learningRates = rates;
  const { coordinate, actual } = detail;
  const xs = instance.xs.slice(0, cut).map((x) => (coordinate === undefined ? undefined : x?.[coordinate]));
  if (xs.length > 0 && xs.every((x) => x !== undefined) && !Object.is(xs[xs.length - 1], actual))
    inputs.parameters = xs as number[];
  return inputs;
}
