import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import type { CliIo } from '../src/cli/index.js';
import { importBuilt } from './support/built.js';

// The compiled CLI (spec/support/built.ts): its adapter workers start from JavaScript, not through tsx.
const { runCheckCommand } = await importBuilt<typeof import('../src/cli/check-command.js')>('src/cli/check-command.ts');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const adapters = 'spec/cli-adapters';

/** `optimspec check` in-process; stdout a terminal of `columns` or a pipe. */
async function run(args: string[], stdout: { tty: boolean; columns?: number } = { tty: false }) {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: {
      write: (s: string) => (out += s),
      isTTY: stdout.tty,
      ...(stdout.columns === undefined ? {} : { columns: stdout.columns }),
    },
    stderr: { write: (s: string) => (err += s), isTTY: false },
    env: {},
    cwd: root,
  };
  const code = await runCheckCommand(args, io);
  return { code, out, err };
}

describe('optimspec check output', () => {
  // A quarter of the drawn cases: the planted bug still fails several checks, and the output's form is the point.
  const args = [`${adapters}/sgd-bug.mjs`, '--seed', '3', '--runs', '0.25', '--no-color'];
  /** The run on a pipe, shared by the two tests that read it (the same check would give the same output). */
  let pipedRun: ReturnType<typeof run> | undefined;
  const piped = () => (pipedRun ??= run(args));

  test('in a pipe nothing is cut; on a terminal every line fits its width', async () => {
    const pipe = await piped();
    expect(pipe.code).toBe(1);
    expect(pipe.out).not.toContain('…');
    expect(Math.max(...pipe.out.split('\n').map((l) => Array.from(l).length))).toBeGreaterThan(80);
    const tty = await run(args, { tty: true, columns: 80 });
    const table = tty.out.split('\n\n')[0]!.split('\n');
    for (const line of table) expect(Array.from(line).length).toBeLessThanOrEqual(80);
    expect(tty.out).toContain('…');
  });

  test('--verbose prints every problem in full; without it the others are one line each', async () => {
    const short = await piped();
    const verbose = await run([...args, '--verbose']);
    const counterexamples = (out: string) => out.split('\n').filter((l) => /^ {4}tolerance: /.test(l)).length;
    expect(counterexamples(short.out)).toBe(1);
    expect(counterexamples(verbose.out)).toBeGreaterThan(1);
    expect(short.out).toContain('(--verbose prints each in full');
    expect(verbose.out).not.toContain('(--verbose prints each in full');
  });

  test('--seed -5 is read as a seed and printed back as the report seed', async () => {
    const { out } = await run([
      `${adapters}/sgd-only.mjs`,
      '--seed',
      '-5',
      '--only',
      'sgd',
      '--runs',
      '0.1',
      '--no-color',
    ]);
    expect(out.trimEnd().split('\n').at(-1)).toMatch(/, seed -5$/);
  });

  test('an unknown flag or subject is a usage error with a did-you-mean', async () => {
    const flag = await run([`${adapters}/sgd-only.mjs`, '--juint', 'r.xml']);
    expect(flag.code).toBe(2);
    expect(flag.err).toContain('unknown option --juint; did you mean "--junit"?');
    const subject = await run([`${adapters}/sgd-only.mjs`, '--only', 'SGD']);
    expect(subject.err).toContain('--only: unknown name "SGD"; did you mean "sgd"?');
  });
});
