import { allocate, powInteger, rounderFor } from '../numerics/index.js';
import type { Conventions, Dtype, OptimizerConfig } from '../reference/index.js';
import { createOptimizer } from '../registry/index.js';
import type { Counterexample } from './types.js';

/** Whether a counterexample's config is an optimizer's (a schedule's has `schedule`). */
function isOptimizerConfig(config: Counterexample['config']): config is OptimizerConfig {
  return typeof config === 'object' && config !== null && 'optimizer' in config;
}

/** A state entry's value at one coordinate: a vector's element, or a scalar counter. */
function at(value: unknown, coordinate: number): number | undefined {
  if (typeof value === 'number') return value;
  if (ArrayBuffer.isView(value)) return (value as unknown as ArrayLike<number>)[coordinate];
  return undefined;
}

/**
 * The reference's values in the step where the counterexample parts (its `step`, at
 * its `coordinate`), named as the lecture's code names them (docs/spec.md): `x` before
 * the step, `dx`, the `learning_rate` in force, then the rule's state after the step
 * (`vx`; `old_v` and `v`; `grad_squared`; Adam's `t`, `first_moment`, `second_moment`,
 * `1 - beta1 ** t`, `1 - beta2 ** t`, `first_unbias`, `second_unbias`). The
 * implementation's x after the step is the counterexample's `actual`, the reference's
 * its `expected`: side by side they point at the line that differs. Run with the
 * conventions that explain the rest of the subject. Undefined when the counterexample
 * lacks its inputs or the reference refuses them.
 */
export function referenceState(
  c: Counterexample,
  dtype: Dtype,
  conventions: Conventions,
): Record<string, number> | undefined {
  const { config, x0, gradients, step, coordinate } = c;
  if (!isOptimizerConfig(config) || x0 === undefined || gradients === undefined) return undefined;
  if (step === undefined || coordinate === undefined || step < 1 || step > gradients.length) return undefined;
  if (coordinate >= x0.length) return undefined;
  const x = allocate(dtype, x0.length);
  x0.forEach((v, i) => {
    x[i] = v;
  });
  let before: Record<string, unknown> = {};
  let rate = config.learningRate;
  try {
    const optimizer = createOptimizer(config, { dtype, size: x0.length, conventions });
    for (let k = 0; k < step; k++) {
      const lr = c.learningRates?.[k] ?? undefined;
      if (lr !== undefined) rate = lr;
      if (k === step - 1) before = { ...optimizer.state(), x: x[coordinate] };
      optimizer.step(x, gradients[k]!, lr);
    }
    const after = optimizer.state();
    const values: Record<string, number> = {};
    const put = (name: string, value: number | undefined) => {
      if (value !== undefined) values[name] = value;
    };
    put('x', before.x as number);
    put('dx', gradients[step - 1]![coordinate]);
    put('learning_rate', rate);
    if (config.optimizer === 'nesterov' && 'v' in after) put('old_v', at(before.v, coordinate));
    for (const [name, value] of Object.entries(after))
      if (name !== 'first_moment' && name !== 'second_moment') put(name, at(value, coordinate));
    if (config.optimizer === 'adam') adamValues(config, after, coordinate, dtype, conventions, rate, put);
    return values;
  } catch (error) {
    if (error instanceof RangeError || error instanceof TypeError) return undefined;
    throw error;
  }
}

/** Adam's moments, bias corrections and unbiased moments after step t, as the lecture's full form computes them. */
function adamValues(
  config: Extract<OptimizerConfig, { optimizer: 'adam' }>,
  after: Record<string, unknown>,
  coordinate: number,
  dtype: Dtype,
  conventions: Conventions,
  rate: number,
  put: (name: string, value: number | undefined) => void,
): void {
  const r = rounderFor(dtype);
  const t = after.t as number;
  const m = at(after.first_moment, coordinate)!;
  const v = at(after.second_moment, coordinate)!;
  const bias1 = r(1 - powInteger(config.beta1, t));
  const bias2 = r(1 - powInteger(config.beta2, t));
  put('first_moment', m);
  put('second_moment', v);
  put('1 - beta1 ** t', bias1);
  put('1 - beta2 ** t', bias2);
  if (conventions['no-bias-correction'] === true) return;
  if (conventions['epsilon-hat'] === true)
    put(
      'learning_rate * sqrt(1 - beta2 ** t) / (1 - beta1 ** t)',
      r((rate * Math.sqrt(1 - powInteger(config.beta2, t))) / (1 - powInteger(config.beta1, t))),
    );
  else {
    put('first_unbias', r(m / bias1));
    put('second_unbias', r(v / bias2));
  }
}
