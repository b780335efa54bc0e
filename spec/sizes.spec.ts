import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { FILE_LIMIT, FUNCTION_LIMIT, functionSizes, measure, offenders } from '../scripts/sizes.js';

/**
 * The size limits of src/ (`npm run sizes`): no function over FUNCTION_LIMIT lines, no
 * file over FILE_LIMIT lines unless a line at its top says why it is one unit. One pass
 * of the TypeScript parser over src/ (no type checking), well under a second.
 */

const root = fileURLToPath(new URL('..', import.meta.url));

/** What is over the limits in src/, measured once for both tests. */
let over: ReturnType<typeof offenders> | undefined;
const overLimits = (): ReturnType<typeof offenders> => {
  over ??= offenders(measure(`${root}src`, root));
  return over;
};

/** A function of `body` lines (its braces included), in a file of its own. */
const lines = (n: number): string => Array.from({ length: n - 2 }, (_, k) => `  const v${k} = ${k};`).join('\n');

describe('the size limits of src/', () => {
  test('the measure counts a function from its first line to its last, nested ones on their own', () => {
    const text = `export function outer(): number {\n${lines(5)}\n  const inner = () => {\n${lines(4)}\n  };\n  return inner() ?? 0;\n}\n`;
    const sizes = functionSizes('a.ts', text, '');
    expect(sizes.map(({ name, line, lines }) => ({ name, line, lines }))).toEqual([
      { name: 'outer', line: 1, lines: 1 + 3 + 1 + 2 + 1 + 1 + 1 },
      { name: 'inner', line: 5, lines: 4 },
    ]);
  });

  test(`every function is at most ${FUNCTION_LIMIT} lines`, () => {
    const functions = overLimits().functions;
    expect(functions.map((f) => `${f.file}:${f.line} ${f.name} (${f.lines} lines)`)).toEqual([]);
  });

  test(`every file is at most ${FILE_LIMIT} lines, or says at its top why it is one unit`, () => {
    const { files } = overLimits();
    expect(files.map((f) => `${f.file} (${f.lines} lines)`)).toEqual([]);
  });
});
