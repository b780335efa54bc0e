import { describe, expect, it } from 'vitest';
import { referenceAdapter } from '../src/adapter/contract.js';
import { checkLaw, laws } from '../src/laws/index.js';
import type { ConventionId, Dtype } from '../src/reference/types.js';
import { kernelAdapter } from './support/kernel-adapter.js';
import { plantedBugs } from './support/planted-bugs.js';
import { reorderedKernels, reorderedSchedules } from './support/reordered-kernels.js';

// Every law family must be breakable: each planted bug is a tiny Adapter with one
// thing wrong, and each law named in `caughtBy` must report `fail` on it. The seeds are
// fixed so that the suite is deterministic; the run counts are the laws' defaults
// times 3, which the bugs need far less than.
const dtypes: Dtype[] = ['float64', 'float32'];
const lawById = (id: string) => {
  const law = laws.find((l) => l.id === id);
  if (law === undefined) throw new Error(`no law ${id}`);
  return law;
};

describe.each(dtypes)('planted bugs are caught (%s)', (dtype) => {
  for (const planted of plantedBugs) {
    it.each(planted.caughtBy)(`${planted.bug}: %s fails`, async (id) => {
      const result = await checkLaw(lawById(id), planted.adapter(dtype), { seed: 20261125, effort: 3 });
      expect(result.status, `${id} did not catch: ${planted.bug}`).toBe('fail');
      expect(result.counterexample).toBeDefined();
      expect(result.message).toBeTruthy();
    });
  }
});

describe('every optimizer and schedule law can fail', () => {
  it('names every law in some planted bug or convention probe below; a generic law is planted for at least one subject', () => {
    const caught = new Set([...plantedBugs.flatMap((p) => p.caughtBy), ...conventionProbes.map((p) => p.law)]);
    // Element-wise, independence, immutability, zero-gradient and zero-learning-rate are
    // planted once (on SGD or Momentum); the same law code runs for every rule.
    const generic = [
      'element-wise',
      'deterministic-independent',
      'zero-gradient',
      'zero-learning-rate',
      'descent',
      'inputs-not-mutated',
      'initial-at-zero',
      'non-increasing',
      'exact-evaluation',
    ];
    const uncaught = laws.map((l) => l.id).filter((id) => !caught.has(id) && !generic.includes(id.split('/')[1]!));
    expect(uncaught).toEqual([]);
    // ...but each generic law must be caught for at least one subject, and name a real law.
    const suffixOf = (id: string) => id.slice(id.lastIndexOf('/') + 1);
    expect(generic.filter((suffix) => ![...caught].some((id) => suffixOf(id) === suffix))).toEqual([]);
    expect(generic.filter((suffix) => !laws.some((l) => suffixOf(l.id) === suffix))).toEqual([]);
  });
});

// A claim of float64 by an implementation that computes in float32 must not pass: the
// float64 tolerances are 2^29 times tighter.
describe('a float32 implementation that claims float64', () => {
  const liar = kernelAdapter({
    name: 'liar',
    dtype: 'float64',
    optimizers: Object.fromEntries(
      Object.entries(reorderedKernels).map(([k, f]) => [k, (c, n) => f(c, n, Math.fround)]),
    ),
    schedules: reorderedSchedules(Math.fround),
  });
  it.each([
    'sgd/closed-form',
    'momentum/constant-gradient-velocity',
    'adagrad/constant-gradient-inverse-sqrt',
    'adam/constant-gradient-step',
    'schedule:exponential/exact-evaluation',
  ])('fails %s', async (id) => {
    expect((await checkLaw(lawById(id), liar, { seed: 7 })).status).toBe('fail');
  });
});

// The conformance checker reruns a failing law on the reference built with a
// convention to see whether the convention explains it; these are the laws that
// must part the spec from each convention (conventions.md "how it shows").
const conventionProbes: { convention: ConventionId; value?: number; law: string }[] = [
  { convention: 'epsilon-inside-sqrt', law: 'adam/first-step' },
  { convention: 'epsilon-inside-sqrt', law: 'rmsprop/decay-zero' },
  { convention: 'epsilon-inside-sqrt', law: 'adagrad/constant-gradient-inverse-sqrt' },
  { convention: 'epsilon-inside-sqrt', law: 'adagrad/power-of-two-scaling-bound' },
  { convention: 'epsilon-hat', law: 'adam/first-step' },
  { convention: 'no-bias-correction', law: 'adam/first-step' },
  { convention: 'no-bias-correction', law: 'adam/step-bound' },
  { convention: 'initial-accumulator', value: 0.1, law: 'adagrad/constant-gradient-inverse-sqrt' },
  { convention: 'initial-accumulator', value: 0.1, law: 'rmsprop/constant-gradient-no-decay' },
  { convention: 'dampened-momentum', law: 'momentum/constant-gradient-velocity' },
  { convention: 'lr-placement', law: 'momentum/learning-rate-outside-velocity' },
  { convention: 'lr-placement', law: 'nesterov/learning-rate-inside-velocity' },
];

describe.each(dtypes)('each convention of conventions.md is told apart from the spec by a law (%s)', (dtype) => {
  it.each(conventionProbes)('$convention fails $law', async ({ convention, value, law }) => {
    const adapter = referenceAdapter({ dtype, conventions: { [convention]: value ?? true } });
    expect((await checkLaw(lawById(law), adapter, { seed: 11, effort: 3 })).status).toBe('fail');
  });
  // With rho = 0 both placements are x -= lr dx at any rate, so this law cannot tell them
  // apart: nesterov/learning-rate-inside-velocity above does, by changing the rate with rho > 0.
  it('lr-placement on Nesterov still passes rho = 0 is SGD, learning-rate changes included (both forms are SGD there)', async () => {
    const adapter = referenceAdapter({ dtype, conventions: { 'lr-placement': true } });
    expect((await checkLaw(lawById('nesterov/rho-zero-is-sgd'), adapter, { seed: 11 })).status).toBe('pass');
  });
});
