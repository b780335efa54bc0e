import { expect, it } from 'vitest';
import { referenceAdapter } from '../src/adapter.js';
import { checkConformance, plannedChecks } from '../src/conformance/check.js';
import { describeConformance } from '../src/vitest.js';
import { handwritten } from './support/planted/handwritten.js';

// The binding as a user calls it: each check below is a test of this file.
describeConformance(referenceAdapter({ dtype: 'float32' }), { only: ['sgd', 'schedule:inverse-time'] });
// An accepted convention turns the deviation's checks into passing tests.
describeConformance(handwritten({ name: 'eps inside', declared: 'float32', conventions: { 'epsilon-inside-sqrt': true }, optimizers: ['rmsprop'] }), {
  only: ['rmsprop'],
  accept: ['epsilon-inside-sqrt'],
});

it('the binding registers exactly the checks a run reports, so every finding is a test', async () => {
  const adapter = referenceAdapter({ dtype: 'float64' });
  const planned = plannedChecks(adapter, { seed: 3, only: ['momentum', 'schedule:step'] });
  const report = await checkConformance(adapter, { seed: 3, only: ['momentum', 'schedule:step'] });
  for (const r of report.results) expect(r.findings.map((f) => f.check)).toEqual(planned.get(r.subject));
});
