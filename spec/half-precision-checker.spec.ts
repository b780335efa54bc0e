import { describe, expect, it } from 'vitest';
import { checkConformance } from '../src/conformance/check.js';
import { bfloat16Adam } from './support/planted/bfloat16.js';

// The checker judges bfloat16 adapters (docs/spec.md D10); Adam alone keeps these runs cheap.
const options = { seed: 7, only: ['adam'] };

describe('the checker in bfloat16', () => {
  it('a hand-written bfloat16 Adam in PyTorch order (split bias corrections) conforms', async () => {
    const [adam] = (await checkConformance(bfloat16Adam({ name: 'bf16 adam' }), options)).results;
    expect(adam!.verdict, JSON.stringify(adam!.findings.filter((f) => f.status !== 'pass'))).toBe('conforms');
  });

  it('the same Adam with its counter held in bfloat16 fails as step-counter-saturates, past step 256', async () => {
    const [adam] = (await checkConformance(bfloat16Adam({ name: 'torchao', frozenCounter: true }), options)).results;
    expect(adam!.verdict).toBe('fails');
    expect(adam!.bug).toBe('step-counter-saturates');
    const failing = adam!.findings.filter((f) => f.status === 'fail');
    expect(failing.map((f) => f.check)).toContain('probe:counter-saturates');
    for (const f of failing) expect(f.counterexample!.step!).toBeGreaterThan(256);
  });
});
