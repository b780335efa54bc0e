import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, test } from 'vitest';

/**
 * The layers that `npm run depcruise` enforces (scripts/layers.cjs, turned into rules
 * by .dependency-cruiser.cjs) are the README's "Layout" table, row for row, and they
 * cover every folder of src/.
 */

const require = createRequire(import.meta.url);
const layers = require('../scripts/layers.cjs') as string[][];

/** The folders of each row of the README's layer table, in its order. */
function readmeLayers(): string[][] {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('| layer | what it holds |');
  expect(start, "README.md's layer table").toBeGreaterThan(0);
  const rows = readme.slice(start).split('\n').slice(2);
  const table = rows.slice(
    0,
    rows.findIndex((row) => !row.startsWith('|')),
  );
  return table.map((row) => [...row.split('|')[1]!.matchAll(/`src\/([^/`]+)\/`/g)].map((m) => m[1]!));
}

describe('the layering', () => {
  test("the rules' layers are the README's table, bottom first", () => {
    expect(readmeLayers()).toEqual(layers);
  });

  test('every folder of src/ is in one layer', () => {
    const folders = readdirSync(new URL('../src/', import.meta.url), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    expect(layers.flat().sort()).toEqual(folders);
  });
});
