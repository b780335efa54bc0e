import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Adapter, referenceAdapter } from '../src/adapter/contract.js';
import { allSubjects } from '../src/laws/index.js';
import type { Subject } from '../src/laws/law.js';
import { isTensorSubject } from '../src/adapter/index.js';
import { readFileSync } from 'node:fs';
import { checkRow, type MatrixRow, matrixRows, renderMarkdown, type RowOut, verifyLines } from '../scripts/matrix.js';
import { type CellSource, matrixSources, type RowSources } from '../scripts/matrix-sources.js';
import { built } from './support/built.js';

/**
 * scripts/matrix.ts, the generator of docs/matrix.md: every row is justified
 * cell by cell, the quotes are where they say they are, and a verdict without a
 * justification or a misquoted line is an error.
 */
const ROOT = join(import.meta.dirname, '..');
const NODE_MODULES = join(ROOT, 'node_modules');

/** The reference's SGD alone: conforms on sgd, every other subject unsupported. */
const sgdOnly: Adapter = {
  ...referenceAdapter({ dtype: 'float64' }),
  name: 'reference sgd only',
  optimizers: ['sgd'],
  schedules: [],
  tensors: {},
};

/** The rows whose example adapter declares the checks over several tensors (docs/spec.md section 9): their cells are justified by the library's source too. */
const TENSORS_JUSTIFIED = [
  'tfjs',
  'tfjs-wasm',
  'pytorch-float32',
  'pytorch-float64',
  'pytorch-bfloat16',
  'pytorch-float16',
];
const sgdRow: MatrixRow = {
  id: 'sgd-only',
  label: 'sgd only',
  dtype: 'float64',
  load: async () => ({ adapter: sgdOnly }),
};
const sgdLine = { file: 'convnetjs/build/convnet.js', line: 1860, quote: 'p[j] +=  - this.learning_rate * gij;' };

function sources(sgd: Partial<CellSource>, line = sgdLine): RowSources {
  const cells = {} as Record<Subject, CellSource>;
  for (const subject of allSubjects())
    cells[subject] = { verdict: 'unsupported', conventions: [], why: 'not declared', lines: [line] };
  cells.sgd = { verdict: 'conforms', conventions: [], why: 'the reference', lines: [line], ...sgd };
  return { row: 'sgd-only', base: 'node_modules', cells };
}

describe('the matrix generator', () => {
  it('has a justification for every row, one for each single-vector subject, and one for each check over several tensors where the example declares them', () => {
    expect(matrixSources.map((s) => s.row).sort()).toEqual(matrixRows.map((r) => r.id).sort());
    for (const s of matrixSources) {
      const expected = allSubjects().filter(
        (subject) => TENSORS_JUSTIFIED.includes(s.row) || !isTensorSubject(subject),
      );
      expect(Object.keys(s.cells).sort(), s.row).toEqual([...expected].sort());
      for (const cell of Object.values(s.cells)) expect(cell.lines.length, `${s.row}: ${cell.why}`).toBeGreaterThan(0);
    }
  });

  it('every quoted line of the npm rows is at that line of the installed package (a dependency bump that moves the code fails here, not silently in the docs)', () => {
    for (const s of matrixSources.filter((x) => x.base === 'node_modules'))
      expect(verifyLines(s, NODE_MODULES)).toEqual([]);
  });

  it('a misquoted line is reported with its file, line and what the line really reads', () => {
    const problems = verifyLines(sources({}, { ...sgdLine, line: sgdLine.line + 1 }), NODE_MODULES);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`convnetjs/build/convnet.js:${sgdLine.line + 1} does not contain`);
  });

  it('a cell whose checker verdict matches its justification is no problem; one that does not is an error naming both', async () => {
    const agreeing: string[] = [];
    const row = await checkRow(sgdRow, sources({}), agreeing, () => {});
    expect(agreeing).toEqual([]);
    expect(row.cells.find((c) => c.subject === 'sgd')).toMatchObject({
      agrees: true,
      checker: { verdict: 'conforms', conventions: [] },
    });

    const disagreeing: string[] = [];
    await checkRow(sgdRow, sources({ verdict: 'deviates', conventions: ['lr-placement'] }), disagreeing, () => {});
    expect(disagreeing).toEqual([
      'sgd-only sgd: the checker says conforms; no justification for that (the source says deviates (lr-placement))',
    ]);
  });

  it('a Python row whose interpreter cannot import torch is skipped with the reason and the install command, and is no error', () => {
    // The compiled copy of scripts/matrix.ts (spec/support/built.ts): the script as `npm run matrix` runs it, without tsx.
    const run = spawnSync(process.execPath, [built('scripts/matrix.ts'), '--rows', 'pytorch-float32'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, OPTIMSPEC_TORCH_PYTHON: join(ROOT, 'no-such-python') },
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('SKIPPED pytorch-float32: ');
    expect(run.stdout).toContain('no-such-python cannot be started');
    expect(run.stdout).toContain('apt-get install -y python3-torch');
  });

  it('docs/matrix.md is docs/matrix.json rendered: a row merged in changes no other row of either', () => {
    const json = JSON.parse(readFileSync(join(ROOT, 'docs/matrix.json'), 'utf8')) as { rows: RowOut[] };
    expect(renderMarkdown(json.rows)).toBe(readFileSync(join(ROOT, 'docs/matrix.md'), 'utf8'));
  });
});
