import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkConformance } from '../src/conformance/check.js';
import { AdapterLoadError, validateAdapter } from '../src/adapter/index.js';
import { spawnAdapter } from '../src/protocol/spawn-adapter.js';
import { TENSOR_SUBJECTS } from '../src/adapter/index.js';
import { importBuilt } from './support/built.js';
import { tensorImplementation } from './support/planted/tensors.js';

// The uses of docs/spec.md section 9 across the two boundaries the CLI puts between the checker
// and an implementation: the stdio protocol (docs/protocol.md) and the worker thread of a JS
// module. A child or module declares what it supports; only then is it sent those calls.

const root = fileURLToPath(new URL('..', import.meta.url));
const pure = fileURLToPath(new URL('../examples/python/lecture_pure.py', import.meta.url));
const SEED = 18;

/** A child in JavaScript that speaks the protocol: `hello` answered with `declared`, `create` and `step` as SGD, and the answers given. */
function child(declared: object, answers: Record<string, object> = {}): string[] {
  const script = `
const readline = require('node:readline');
const answers = ${JSON.stringify(answers)};
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const r = JSON.parse(line);
  let a;
  if (r.op === 'hello') a = { ok: true, protocol: 1, name: 'child', dtype: 'float64', optimizers: ['sgd'], ...${JSON.stringify(declared)} };
  else if (answers[r.op]) a = answers[r.op];
  else if (r.op === 'create' || r.op === 'createTensors') a = { ok: true, handle: 1, x0: r.x0 ?? r.groups.flatMap((g) => g.x0) };
  else if (r.op === 'stepTensors') a = { ok: true, xs: r.grads.map((g, i) => (g ?? []).map(() => 0)) };
  else a = { ok: true };
  process.stdout.write(JSON.stringify({ id: r.id, ...a }) + '\\n');
  if (r.op === 'shutdown') process.exit(0);
});`;
  return [process.execPath, '-e', script];
}

describe('over the stdio protocol', () => {
  it('the pure-Python lecture rules conform with missing gradients (null on the wire) and a save and restore (its state as JSON)', async () => {
    const adapter = await spawnAdapter(['python3', pure]);
    try {
      const only = ['tensors:missing-gradient', 'tensors:save-restore'];
      const report = await checkConformance(adapter, { seed: SEED, runs: 0.25, only });
      for (const r of report.results)
        expect(r.verdict, `${r.subject}: ${r.findings.find((f) => f.status !== 'pass')?.message}`).toBe('conforms');
    } finally {
      await adapter.close();
    }
  });

  it('a child that declares nothing is never sent a call over several tensors, and those checks are unsupported', async () => {
    const sent: string[] = [];
    const adapter = await spawnAdapter(child({}), {
      onTraffic: (d, line) => d === 'send' && sent.push(JSON.parse(line).op),
    });
    try {
      expect(adapter.tensors).toBeUndefined();
      const report = await checkConformance(adapter, { seed: SEED, only: [...TENSOR_SUBJECTS] });
      expect(report.results.map((r) => r.verdict)).toEqual(TENSOR_SUBJECTS.map(() => 'unsupported'));
      expect(sent.filter((op) => !['hello'].includes(op))).toEqual([]);
    } finally {
      await adapter.close();
    }
  });

  it('a declaration that is not one is refused at the handshake, naming the field and the value', async () => {
    await expect(spawnAdapter(child({ tensors: { tensors: 'yes' } }))).rejects.toThrow(
      /tensors\.tensors must be a boolean, got "yes"/,
    );
    await expect(spawnAdapter(child({ tensors: { several: true } }))).rejects.toThrow(
      /tensors\.several is not a known use/,
    );
  });

  it("a declared save the child cannot answer is the subject's error, with the child's message", async () => {
    const adapter = await spawnAdapter(
      child({ tensors: { tensors: true, saveRestore: true } }, { save: { ok: false, error: 'no checkpoints here' } }),
    );
    try {
      const report = await checkConformance(adapter, { seed: SEED, only: ['tensors:save-restore'] });
      const result = report.results[0]!;
      expect(result.verdict).toBe('error');
      expect(result.findings.find((f) => f.status === 'error')?.message).toMatch(/no checkpoints here/);
    } finally {
      await adapter.close();
    }
  });
});

describe('in a worker thread (the CLI runs a JS module so)', () => {
  it("flashlight's per-tensor counter is caught and named through the worker", async () => {
    // The worker and the checker from this run's compiled copy of src/ (spec/support/built.ts), as the CLI runs them.
    const [{ isolateAdapter }, built] = await Promise.all([
      importBuilt<typeof import('../src/isolation/isolate-adapter.js')>('src/isolation/isolate-adapter.ts'),
      importBuilt<typeof import('../src/conformance/check.js')>('src/conformance/check.ts'),
    ]);
    const adapter = await isolateAdapter('spec/cli-adapters/flashlight-adam.ts', { cwd: root });
    try {
      const report = await built.checkConformance(adapter, { seed: SEED, runs: 0.25, only: ['tensors:several'] });
      const verdicts = report.results.map((r) => `${r.subject}: ${r.verdict}${r.bug ? ` (${r.bug})` : ''}`);
      expect(verdicts).toEqual(['tensors:several: fails (step-counter-counts-tensors)']);
    } finally {
      await adapter.close();
    }
  });

  it('a module whose declaration is wrong is refused when it loads, naming the field', () => {
    const full = tensorImplementation({ name: 'wrong', dtype: 'float64' });
    expect(() => validateAdapter({ ...full, tensors: { tensors: true, schedules: ['cosine'] } }, 'm.ts')).toThrow(
      AdapterLoadError,
    );
    expect(() => validateAdapter({ ...full, tensors: { tensors: true, schedules: ['cosine'] } }, 'm.ts')).toThrow(
      /m\.ts: adapter\.tensors\.schedules\[0\] must be one of step, exponential, inverse-time, got "cosine"/,
    );
    const { createTensors: _, ...withoutCreate } = full;
    expect(() => validateAdapter(withoutCreate, 'm.ts')).toThrow(
      /adapter\.createTensors must be a function when adapter\.tensors\.tensors is true, got undefined/,
    );
  });
});
