import { describe, expect, it } from 'vitest';
import { checkConformance } from '../src/conformance/check.js';
import {
  type EvaluationOrder,
  evaluationOrderAdapter,
  judgedAsRequired,
  ORDER_SUBJECTS,
} from './support/evaluation-orders.js';

/**
 * conventions.md lists evaluation orders real libraries use that are the spec computed
 * differently: each must conform in both dtypes, its checks and laws included (the
 * interpolation form may deviate by `non-finite` alone, where it overflows). Two seeds
 * here; `npm run soak` runs 50 (scripts/soak.ts).
 */
const orders = Object.keys(ORDER_SUBJECTS) as EvaluationOrder[];

describe('algebraically identical evaluation orders conform', () => {
  for (const order of orders) {
    for (const dtype of ['float32', 'float64'] as const) {
      it.each([11, 12])(`${order} in ${dtype} (seed %i)`, async (seed) => {
        const report = await checkConformance(evaluationOrderAdapter(order, dtype), {
          seed,
          only: [...ORDER_SUBJECTS[order]],
        });
        for (const r of report.results) {
          const problems = r.findings.filter((f) => f.status !== 'pass').map((f) => `${f.check}: ${f.message}`);
          expect(judgedAsRequired(order, r), `${r.subject}: ${r.verdict} ${problems.join(' | ')}`).toBe(true);
        }
        // The interpolation form's g - m overflows near the largest finite value: the probe names it non-finite.
        const near = report.results
          .find((r) => r.subject === 'adam')
          ?.findings.find((f) => f.check === 'probe:non-finite-near-overflow');
        if (near !== undefined)
          expect(near.status === 'explained' && near.conventions?.includes('non-finite')).toBe(
            order === 'interpolation',
          );
        expect(report.results.map((r) => r.subject).sort()).toEqual([...ORDER_SUBJECTS[order]].sort());
      });
    }
  }
});
