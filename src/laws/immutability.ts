import fc from 'fast-check';
import { runScript, trajectoryScript } from '../adapter/index.js';
import type { OptimizerConfig, OptimizerRule } from '../reference/index.js';
import { anyValue, configArbitrary, learningRateChangesIn, type Rates, vectors } from './arbitraries.js';
import type { Law } from './law.js';
import { requireSameBits } from './tolerance.js';

/** Input of the immutability law. */
export interface ImmutabilityInput {
  config: OptimizerConfig;
  x0: number[];
  grads: number[][];
  learningRates: Rates;
}

/**
 * Inputs are never mutated: the adapter gets the law's own `x0` and gradient arrays
 * (not copies), and after creation and every step they still hold their bits. Exact,
 * any input.
 */
export function immutability(rule: OptimizerRule): Law<ImmutabilityInput> {
  return {
    id: `${rule.name}/inputs-not-mutated`,
    subject: rule.name,
    title: `${rule.title}: x0 and the gradients handed to the implementation are never mutated (bit-exact, any input)`,
    runs: 50,
    arbitrary: (dtype) =>
      fc.integer({ min: 1, max: 5 }).chain((n) =>
        fc.record({
          config: configArbitrary(rule, {}, dtype),
          x0: fc.array(anyValue(dtype), { minLength: n, maxLength: n }),
          grads: vectors(anyValue(dtype), n, 1, 5),
          learningRates: learningRateChangesIn(dtype, 5),
        }),
      ),
    async check(adapter, { config, x0, grads, learningRates }) {
      // The script hands its own arrays and reports, after each call, those the adapter changed (watch).
      const script = trajectoryScript([{ config, x0, grads, learningRates }]);
      const { changes } = await runScript(adapter, { ...script, watch: 'all' });
      // Call 0 is the create (step 0), call t + 1 the step t; a change seen only after the dispose is out of the law's view.
      const seen = changes
        .filter((c) => c.seenAfter <= grads.length)
        .sort((p, q) => p.seenAfter - q.seenAfter || p.handedAt - q.handedAt);
      for (const change of seen) {
        const original = change.handedAt === 0 ? x0 : grads[change.handedAt - 1]!;
        const what = change.handedAt === 0 ? 'x0' : `the gradient of step ${change.handedAt}`;
        change.values.forEach((v, i) => {
          requireSameBits(`${what} was mutated`, v, original[i]!, adapter.dtype, {
            step: change.seenAfter,
            coordinate: i,
          });
        });
      }
    },
  };
}
