import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import {
  checkpointThroughJson,
  loadTensorFixtures,
  replayTensorCase,
  type TensorFixtureCase,
} from '../src/fixtures/tensor-fixtures.js';
import { replayWithin } from '../src/fixtures/verify.js';
import { optimizerRules } from '../src/registry/index.js';
import { DTYPES, rounderFor } from '../src/numerics/dtype.js';

// The reference over several tensors reproduces every NumPy trajectory of
// fixtures/tensors/ (scripts/generate_tensor_fixtures.py: lecture.md's pseudo-code per
// tensor, missing gradients, parameter groups, a schedule the optimizer applies, the state
// saved as JSON text and restored into fresh arrays mid-run) to the bit, every tensor's
// values and state and every group's learning rate after every step.

const root = fileURLToPath(new URL('../', import.meta.url));
const folder = join(root, 'fixtures', 'tensors');
const names = readdirSync(folder).filter((n) => n.endsWith('.json'));
const raw = new Map(
  names.map((n) => [n, JSON.parse(readFileSync(join(folder, n), 'utf8')) as Record<string, unknown>]),
);
const files = loadTensorFixtures();
const cases = files.flatMap((f) => f.cases);

const ajv = new Ajv2020({ strict: true, allErrors: false, allowUnionTypes: true });
ajv.addSchema(JSON.parse(readFileSync(join(root, 'fixtures', 'schema.json'), 'utf8')) as object);
const validate = ajv.compile(JSON.parse(readFileSync(join(root, 'fixtures', 'tensors.schema.json'), 'utf8')) as object);

describe('tensor fixtures: files, schema, provenance', () => {
  it('one file per optimizer and dtype', () => {
    expect(names.sort()).toEqual(optimizerRules.flatMap((r) => DTYPES.map((d) => `${r.name}.${d}.json`)).sort());
  });

  for (const name of names) {
    it(`${name} is valid against fixtures/tensors.schema.json`, () => {
      expect(validate(raw.get(name)), ajv.errorsText(validate.errors)).toBe(true);
    });
  }

  it('the schema rejects a missing gradient spelled other than null, and a state key of no rule', () => {
    const doc = structuredClone(raw.get(names[0]!)!) as {
      cases: { steps: { grads: unknown[] }[]; expected: { state: Record<string, unknown>[][] } }[];
    };
    doc.cases[0]!.steps[0]!.grads[0] = 'missing';
    expect(validate(doc)).toBe(false);
    const other = structuredClone(raw.get(names[0]!)!) as typeof doc;
    other.cases[0]!.expected.state[0]![0]!.momentum = [];
    expect(validate(other)).toBe(false);
  });

  it('every file was made by the committed generator (its sha256)', () => {
    const sha = createHash('sha256')
      .update(readFileSync(join(root, 'scripts', 'generate_tensor_fixtures.py')))
      .update(readFileSync(join(root, 'scripts', 'generate_fixtures.py')))
      .digest('hex');
    for (const [name, doc] of raw)
      expect((doc.provenance as { generatorSha256: string }).generatorSha256, name).toBe(sha);
  });

  it('the cases hold what section 9 asks: lengths 0 and 1, a late first gradient, a zero gradient, groups, a schedule, restores at k = 0, 1 and later', () => {
    for (const file of files) {
      const regimes = new Map(file.cases.map((c) => [c.regime, c]));
      const sizes = file.cases.flatMap((c) => c.groups.flatMap((g) => g.sizes));
      expect(sizes).toContain(0);
      expect(sizes).toContain(1);
      const missing = regimes.get('missing')!;
      // Tensor 1 has no gradient in the first steps, then one.
      expect(missing.steps[0]!.grads[1]).toBeUndefined();
      expect(missing.steps.some((s) => s.grads[1] !== undefined)).toBe(true);
      expect(missing.steps.some((s) => s.grads[0]?.every((g) => g === 0))).toBe(true);
      expect(regimes.get('groups')!.groups.length).toBe(2);
      expect(regimes.get('scheduled')!.groups.some((g) => g.schedule !== undefined)).toBe(true);
      const restores = regimes.get('restore')!.steps.flatMap((s, k) => (s.restore === true ? [k] : []));
      expect(restores.slice(0, 2)).toEqual([0, 1]);
      expect(restores.length).toBeGreaterThan(2);
    }
  });

  it("each file holds values of its dtype only (float32's the exact double of a float32, and so on)", () => {
    for (const c of cases) {
      const round = rounderFor(c.dtype);
      const values = [
        ...c.x0.flat(),
        ...c.steps.flatMap((s) => s.grads.flatMap((g) => g ?? [])),
        ...c.expected.x.flat(2),
        ...c.expected.state.flatMap((row) => row.flatMap((s) => Object.values(s).flat())),
      ];
      expect(
        values.find((v) => !Number.isNaN(v) && round(v) !== v),
        c.id,
      ).toBeUndefined();
    }
    expect(new Set(cases.map((c) => c.dtype))).toEqual(new Set(DTYPES));
  });
});

describe('golden over several tensors: the reference reproduces NumPy bit for bit', () => {
  for (const c of cases) {
    it(c.id, () => {
      const replay = replayTensorCase(c);
      const lines = [
        ...replay.errors,
        ...replay.differences
          .slice(0, 5)
          .map(
            (d) => `step ${d.step} ${d.field}[${d.coordinate}]: expected ${d.expected}, got ${d.actual} (${d.ulp} ULP)`,
          ),
      ];
      expect(replayWithin(replay, 0), lines.join('\n')).toBe(true);
      expect(replay.comparisons).toBeGreaterThan(0);
    });
  }

  it('the restored runs carry NaN, an infinity and -0 through the JSON checkpoint', () => {
    const restoreCases = cases.filter((c) => c.regime === 'restore');
    const states = restoreCases.flatMap((c) => c.expected.state.flat().flatMap((s) => Object.values(s).flat()));
    expect(states.some(Number.isNaN) || states.some((v) => !Number.isFinite(v))).toBe(true);
    const saved = checkpointThroughJson({
      groups: [{ learningRate: 0.5, steps: 2 }],
      tensors: [{ vx: new Float64Array([-0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 5e-324]) }],
    });
    const vx = Array.from(saved.tensors[0]!.vx as Float64Array);
    expect(Object.is(vx[0], -0)).toBe(true);
    expect(vx.slice(1)).toEqual([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 5e-324]);
  });

  it('a replay tells a wrong trajectory: a case whose tensor 1 is stepped at a missing step fails', () => {
    const c = structuredClone(cases.find((k) => k.rule === 'adam' && k.regime === 'missing')!) as TensorFixtureCase;
    c.steps[0]!.grads[1] = [0, 0, 0];
    const replay = replayTensorCase(c);
    expect(replayWithin(replay, 0)).toBe(false);
    expect(replay.differences.some((d) => d.field === 'state[1].t')).toBe(true);
  });
});
