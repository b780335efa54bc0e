import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type Adapter, referenceAdapter } from '../src/adapter/contract.js';
import { checkConformance } from '../src/conformance/check.js';
import type { ConformanceReport, SubjectResult } from '../src/conformance/types.js';
import { spawnAdapter, type SpawnedAdapter } from '../src/protocol/spawn-adapter.js';
import { unsupported } from '../src/adapter/unsupported.js';

/**
 * Issue 8: a library that refuses a hyperparameter value the lecture allows (PyTorch's
 * Nesterov with rho = 0) is not an `error`: the checks that need it are `skipped` with
 * the adapter's reason, and the rest of the subject is judged.
 */
function nesterov(report: ConformanceReport): SubjectResult {
  return report.results.find((r) => r.subject === 'nesterov')!;
}

function expectRefusalsSkipped(r: SubjectResult): void {
  const problems = r.findings.filter((f) => f.status !== 'pass' && f.status !== 'skipped');
  expect(r.verdict, problems.map((f) => `${f.check}: ${f.message}`).join(' | ')).toBe('conforms');
  const law = r.findings.find((f) => f.check === 'law:nesterov/rho-zero-is-sgd')!;
  expect(law.status).toBe('skipped');
  expect(law.message).toMatch(
    /refused \{ optimizer: "nesterov", learningRate: [^,]+, rho: 0 \}: Nesterov momentum requires a momentum/,
  );
  // The other laws ran, with the refused draws set aside.
  expect(r.findings.filter((f) => f.check.startsWith('law:') && f.status === 'pass').length).toBeGreaterThan(5);
}

describe('an in-process adapter returning unsupported(reason)', () => {
  it('gets the checks that need rho = 0 skipped with its reason, and the rest of Nesterov judged', async () => {
    const reference = referenceAdapter({ dtype: 'float64' });
    const adapter: Adapter = {
      ...reference,
      optimizers: ['sgd', 'nesterov'],
      schedules: [],
      create: (config, x0) =>
        config.optimizer === 'nesterov' && config.rho === 0
          ? unsupported('Nesterov momentum requires a momentum and zero dampening')
          : reference.create(config, x0),
    };
    const report = await checkConformance(adapter, { seed: 3, only: ['sgd', 'nesterov'] });
    expectRefusalsSkipped(nesterov(report));
    expect(report.passed).toBe(true);
  });

  it('an adapter refusing every configuration is an error, not a pass', async () => {
    const adapter: Adapter = {
      name: 'refuses all',
      dtype: 'float64',
      optimizers: ['sgd'],
      create: () => unsupported('no, never'),
    };
    const report = await checkConformance(adapter, { seed: 3 });
    const sgd = report.results.find((r) => r.subject === 'sgd')!;
    expect(sgd.verdict).toBe('error');
    expect(sgd.findings.find((f) => f.status === 'error')!.message).toMatch(/refused every configuration of sgd/);
    expect(report.passed).toBe(false);
  });

  it('unsupported() names a missing reason', () => {
    expect(() => unsupported('')).toThrow(/reason must be a non-empty string, got ""/);
  });
});

describe('a Python adapter over the protocol raising Unsupported, which also demands float hyperparameters', () => {
  let spawned: SpawnedAdapter | undefined;
  afterAll(async () => spawned?.close());

  it('gets every hyperparameter as a float (every as an int) and its refusals skipped', async () => {
    const script = fileURLToPath(new URL('./support/children/refusing_adapter.py', import.meta.url));
    spawned = await spawnAdapter(['python3', script]);
    // A quarter of the drawn and law runs: every kind of check still sends its hyperparameters (pure Python is slow).
    const report = await checkConformance(spawned, { seed: 3, runs: 0.25 });
    expectRefusalsSkipped(nesterov(report));
    // beta-like zeros (rho = 0 for SGD's rho-zero partner, k = 0) arrive as floats: no TypeError anywhere.
    for (const r of report.results.filter((x) => x.verdict !== 'unsupported')) {
      expect(
        r.verdict,
        `${r.subject}: ${r.findings
          .filter((f) => f.status === 'error' || f.status === 'fail')
          .map((f) => f.message)
          .join(' | ')}`,
      ).toBe('conforms');
    }
  });
});
