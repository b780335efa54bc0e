import { afterEach, describe, expect, it } from 'vitest';
import { type Adapter, referenceAdapter } from '../src/adapter/contract.js';
import { checkConformance } from '../src/conformance/check.js';
import type { ConformanceReport } from '../src/conformance/types.js';
import type { Dtype } from '../src/reference/types.js';
import { kernelAdapter } from './support/kernel-adapter.js';
import { handwritten, type PlantedBug, resetSharedState } from './support/planted/handwritten.js';
import { type Misbehaviour, misbehaving } from './support/planted/misbehaving.js';
import { plantedBugs } from './support/planted-bugs.js';
import { reorderedKernels, reorderedSchedules } from './support/reordered-kernels.js';

/**
 * Attribution (issue 8): a bug in one optimizer or schedule changes that subject's
 * verdict and no other's. For planted bugs and misbehaving adapters, the whole
 * implementation is checked, and every other subject must keep the verdict it has on
 * the same implementation without the bug. A law that would drive the buggy optimizer
 * (rho = 0 is SGD, beta1 = 0 is RMSProp, the AdaGrad limit) must compare with the
 * lecture's exact rule instead. Here: every planted bug in an optimizer some law drives
 * besides its own (SGD, AdaGrad, RMSProp), and every misbehaving adapter;
 * `OPTIMSPEC_ATTRIBUTION=all` (what `npm run soak` sets) takes the whole catalogue, in
 * both dtypes. A quarter of the default runs: the verdicts of correct subjects do not
 * depend on the run count.
 */
const ALL = process.env.OPTIMSPEC_ATTRIBUTION === 'all';
/** The optimizers another optimizer's laws drive (src/laws: rho-zero-is-sgd, adagrad-limit, beta1-zero-is-rmsprop). */
const COMPANIONS = ['sgd', 'adagrad', 'rmsprop'];
const SEED = 8;
const RUNS = 0.25;

afterEach(() => resetSharedState());

async function verdicts(adapter: Adapter, options: { stepTimeoutMs?: number } = {}): Promise<Map<string, string>> {
  const report: ConformanceReport = await checkConformance(adapter, { seed: SEED, runs: RUNS, ...options });
  return new Map(
    report.results.map((r) => [
      r.subject,
      `${r.verdict}${r.conventions.length ? ` [${r.conventions.join(', ')}]` : ''}`,
    ]),
  );
}

function expectOnlyChanged(buggy: Map<string, string>, base: Map<string, string>, culprits: readonly string[]): void {
  for (const [subject, verdict] of base) {
    if (culprits.includes(subject))
      expect(buggy.get(subject), `${subject} should not conform with the bug`).not.toBe(verdict);
    else expect(buggy.get(subject), `${subject} is innocent`).toBe(verdict);
  }
}

describe.each((ALL ? ['float64', 'float32'] : ['float64']) as Dtype[])(
  'only the subject with the bug changes verdict (%s)',
  (dtype) => {
    const r = dtype === 'float32' ? Math.fround : (v: number) => v;
    const bases = {
      optimizers: () => kernelAdapter({ name: 'base', dtype, optimizers: reorderedKernels }),
      schedules: () =>
        kernelAdapter({ name: 'base', dtype, optimizers: reorderedKernels, schedules: reorderedSchedules(r) }),
    };
    const cache = new Map<string, Promise<Map<string, string>>>();
    const baseVerdicts = (kind: keyof typeof bases) => {
      if (!cache.has(kind)) cache.set(kind, verdicts(bases[kind]()));
      return cache.get(kind)!;
    };

    // The catalogue of spec/support/planted-bugs.ts, but for adapters that offer one optimizer only (no innocent subject).
    const subjectOf = (p: (typeof plantedBugs)[number]) => p.caughtBy[0]!.slice(0, p.caughtBy[0]!.lastIndexOf('/'));
    const withInnocents = plantedBugs.filter((p) => {
      const adapter = p.adapter(dtype);
      return (
        adapter.optimizers.length + (adapter.schedules ?? []).length > 1 && (ALL || COMPANIONS.includes(subjectOf(p)))
      );
    });
    it("covers every entry of the catalogue with another subject beside the buggy one (the companions' when not all)", () => {
      const expected = plantedBugs.filter((p) => ALL || COMPANIONS.includes(subjectOf(p))).length;
      expect(withInnocents.length).toBeGreaterThanOrEqual(expected - 2);
      expect(withInnocents.length).toBeGreaterThan(0);
    });
    for (const planted of withInnocents) {
      const subject = planted.caughtBy[0]!.slice(0, planted.caughtBy[0]!.lastIndexOf('/'));
      it(`${planted.bug} (${subject})`, async () => {
        const adapter = planted.adapter(dtype);
        const base = await baseVerdicts(subject.startsWith('schedule:') ? 'schedules' : 'optimizers');
        expectOnlyChanged(await verdicts(adapter), base, [subject]);
      });
    }
  },
);

describe('hand-written bugs in one optimizer or the schedules leave the others alone', () => {
  const every: [PlantedBug, readonly string[]][] = [
    ['ascent', ['sgd']],
    ['momentum-rho-on-dx', ['momentum']],
    ['adam-multiplies-bias-correction', ['adam']],
    ['adam-counter-off-by-one', ['adam']],
    ['adam-counter-per-coordinate', ['adam']],
    ['stale-moments', ['momentum', 'adam']],
    ['amsgrad', ['adam']],
    ['schedule-one-epoch-early', ['schedule:step', 'schedule:exponential', 'schedule:inverse-time']],
  ];
  const cases = every.filter(([, culprits]) => ALL || culprits.some((c) => COMPANIONS.includes(c)));
  const schedules = ['step', 'exponential', 'inverse-time'] as const;
  let base: Promise<Map<string, string>> | undefined;
  it.each(cases)('%s', async (bug, culprits) => {
    base ??= verdicts(handwritten({ name: 'base', declared: 'float64', schedules }));
    expectOnlyChanged(
      await verdicts(handwritten({ name: bug, declared: 'float64', bug, schedules })),
      await base,
      culprits,
    );
  });
});

describe('a misbehaving optimizer is an error of its own; the optimizers whose laws would drive it keep their verdicts', () => {
  const cases: [Misbehaviour, 'sgd' | 'adagrad' | 'rmsprop'][] = [
    ['throws', 'sgd'],
    ['rejects', 'sgd'],
    ['hangs', 'sgd'],
    ['wrong-length', 'adagrad'],
    ['garbage', 'rmsprop'],
    ['create-returns-nothing', 'rmsprop'],
  ];
  let base: Promise<Map<string, string>> | undefined;
  it.each(cases)('%s in %s', async (how, victim) => {
    // misbehaving() offers the reference's optimizers, no schedules and no use of several tensors.
    const { tensors: _, createTensors: __, ...reference } = referenceAdapter({ dtype: 'float64' });
    base ??= verdicts({ ...reference, schedules: [] });
    const buggy = await verdicts(misbehaving(how, victim), { stepTimeoutMs: 100 });
    expect(buggy.get(victim)).toBe('error');
    expectOnlyChanged(buggy, await base, [victim]);
  });
});
