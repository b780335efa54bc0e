import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import {
  fixturesRoot,
  loadOptimizerFixtures,
  loadScheduleFixtures,
  parseFixtureJson,
} from '../src/fixtures/fixtures.js';
import { rounderFor } from '../src/numerics/dtype.js';

// Every fixture file is valid against fixtures/schema.json (draft 2020-12), was made by
// the generator that is committed beside it, and decodes to the values it encodes.

const root = fileURLToPath(new URL('../', import.meta.url));
const schema = JSON.parse(readFileSync(join(root, 'fixtures', 'schema.json'), 'utf8')) as object;
const ajv = new Ajv2020({ strict: true, allErrors: false, allowUnionTypes: true });
const validate = ajv.compile(schema);
const files = ['optimizers', 'schedules', 'rounding'].flatMap((sub) =>
  readdirSync(join(root, 'fixtures', sub))
    .filter((n) => n.endsWith('.json'))
    .map((n) => join('fixtures', sub, n)),
);
const raw = new Map(files.map((f) => [f, JSON.parse(readFileSync(join(root, f), 'utf8')) as Record<string, unknown>]));
const firstOf = (prefix: string) =>
  structuredClone([...raw.entries()].find(([f]) => f.startsWith(prefix))![1]) as { cases: Record<string, unknown>[] };

describe('fixture schema', () => {
  it('finds the generated files: one per optimizer and dtype, one per schedule, one rounding table per 16-bit dtype', () => {
    expect(files).toHaveLength(6 * 4 + 3 + 2);
  });

  for (const file of files) {
    it(`${file} is valid against fixtures/schema.json`, () => {
      const ok = validate(raw.get(file));
      expect(ok, ajv.errorsText(validate.errors)).toBe(true);
    });
  }

  it('rejects a bare NaN spelling, a missing expectation and an unknown convention', () => {
    const badFloat = firstOf('fixtures/optimizers/');
    (badFloat.cases[0]!.x0 as unknown[])[0] = 'nan';
    expect(validate(badFloat)).toBe(false);
    const noExpected = firstOf('fixtures/optimizers/');
    delete noExpected.cases[0]!.expected;
    expect(validate(noExpected)).toBe(false);
    const badConvention = firstOf('fixtures/optimizers/');
    badConvention.cases[0]!.conventions = { 'eps-in-sqrt': true };
    expect(validate(badConvention)).toBe(false);
    const badSchedule = firstOf('fixtures/schedules/');
    (badSchedule.cases[0]!.t as unknown[])[0] = -1;
    expect(validate(badSchedule)).toBe(false);
    const shortMidpoints = structuredClone(raw.get('fixtures/rounding/float16.json')!) as {
      midpoints: Record<string, string>;
    };
    shortMidpoints.midpoints.at = shortMidpoints.midpoints.at!.slice(1);
    expect(validate(shortMidpoints)).toBe(false);
  });
});

describe('fixture provenance', () => {
  const generator = readFileSync(join(root, 'scripts', 'generate_fixtures.py'));
  const sha = createHash('sha256').update(generator).digest('hex');

  it('every file was made by the committed generator (its sha256), so a stale fixture fails here without Python', () => {
    for (const [file, doc] of raw) {
      expect((doc.provenance as { generatorSha256: string }).generatorSha256, file).toBe(sha);
    }
  });
});

describe('fixture loader', () => {
  it('locates fixtures/ relative to its own file', () => {
    expect(fixturesRoot()).toBe(join(root, 'fixtures/'));
  });

  it('decodes the non-finite strings inside arrays, and only there', () => {
    const doc = parseFixtureJson('{"id":"NaN","v":["NaN","Infinity","-Infinity",-0.0,1.5]}') as {
      id: string;
      v: number[];
    };
    expect(doc.id).toBe('NaN');
    expect(doc.v.slice(0, 3)).toEqual([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    expect(Object.is(doc.v[3], -0)).toBe(true);
    expect(doc.v[4]).toBe(1.5);
  });

  it('gives numbers everywhere the schema allows a float, with NaN, infinities and -0 present', () => {
    const values = loadOptimizerFixtures().flatMap((f) => f.cases.flatMap((c) => [c.x0, ...c.expected.x].flat()));
    expect(values.every((v) => typeof v === 'number')).toBe(true);
    expect(values.some(Number.isNaN)).toBe(true);
    expect(values.some((v) => v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY)).toBe(true);
    expect(values.some((v) => Object.is(v, -0))).toBe(true);
  });

  it('float32 files hold float32 values only (the exact double of each float32)', () => {
    for (const file of loadOptimizerFixtures().filter((f) => f.dtype === 'float32')) {
      for (const c of file.cases) {
        const gradients = c.loop.kind === 'open' ? c.loop.gradients.flat() : [];
        const all = [c.x0, ...c.expected.x, ...(c.expected.dx ?? []), ...gradients].flat();
        const off = all.find((v) => !Number.isNaN(v) && Math.fround(v) !== v);
        expect(off, c.id).toBeUndefined();
      }
    }
  });

  it('float16 and bfloat16 files hold values of their dtype only', () => {
    for (const file of loadOptimizerFixtures().filter((f) => f.dtype === 'float16' || f.dtype === 'bfloat16')) {
      const r = rounderFor(file.dtype);
      for (const c of file.cases) {
        const gradients = c.loop.kind === 'open' ? c.loop.gradients.flat() : [];
        const all = [c.x0, ...c.expected.x, ...(c.expected.dx ?? []), ...gradients].flat();
        const off = all.find((v) => !Number.isNaN(v) && r(v) !== v);
        expect(off, c.id).toBeUndefined();
      }
    }
  });

  it('loads every schedule table with t and values of equal length', () => {
    const schedules = loadScheduleFixtures();
    expect(schedules.map((f) => f.schedule).sort()).toEqual(['exponential', 'inverse-time', 'step']);
    for (const f of schedules) for (const c of f.cases) expect(c.values.length, c.id).toBe(c.t.length);
  });
});
