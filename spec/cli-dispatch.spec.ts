import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type CliIo, main } from '../src/cli/index.js';
import { registry } from '../src/registry/registry.js';

// The dispatcher and `fixtures verify`, in-process: top-level help and version, exit
// code 2 with usage on unknown commands and flags, a row per rule and dtype.

function fakeIo(): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env: {},
    cwd: process.cwd(),
    out: () => out,
    err: () => err,
  };
}

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;

describe('optimspec CLI dispatcher and fixtures verify', () => {
  it('--help and -h print the commands and exit 0', async () => {
    for (const flag of ['--help', '-h']) {
      const io = fakeIo();
      expect(await main([flag], io)).toBe(0);
      expect(io.out()).toMatch(/^Usage: optimspec <command>/);
      for (const name of ['check', 'fixtures']) expect(io.out()).toMatch(new RegExp(`\\n {2}${name} +\\S`));
    }
  });

  it('--version prints the package.json version', async () => {
    const io = fakeIo();
    expect(await main(['--version'], io)).toBe(0);
    expect(io.out()).toBe(`${version}\n`);
  });

  it.each([
    [[]],
    [['bogus']],
    [['--bogus']],
    [['fixtures']],
    [['fixtures', 'bogus']],
    [['fixtures', 'verify', '--bogus']],
    [['fixtures', 'verify', 'extra']],
  ])('%j is a usage error: exit 2 and a usage message on stderr', async (argv) => {
    const io = fakeIo();
    expect(await main(argv, io)).toBe(2);
    expect(io.err()).toMatch(/Usage: optimspec/);
    expect(io.out()).toBe('');
  });

  it('a mistyped command gets a did-you-mean: "chek" is "check"', async () => {
    for (const [typed, meant] of [
      ['chek', 'check'],
      ['fixture', 'fixtures'],
      ['python-pth', 'python-path'],
    ]) {
      const io = fakeIo();
      expect(await main([typed!], io)).toBe(2);
      expect(io.err()).toContain(`unknown command "${typed}"; did you mean "${meant}"?`);
    }
    const io = fakeIo();
    await main(['zzz'], io);
    expect(io.err()).not.toContain('did you mean');
  });

  it('python-path prints the folder of optimspec_protocol.py; it takes no arguments', async () => {
    const io = fakeIo();
    expect(await main(['python-path'], io)).toBe(0);
    const folder = io.out().trim();
    expect(folder).toBe(fileURLToPath(new URL('../examples/python', import.meta.url)));
    expect(existsSync(join(folder, 'optimspec_protocol.py'))).toBe(true);
    const extra = fakeIo();
    expect(await main(['python-path', 'x'], extra)).toBe(2);
    expect(extra.err()).toContain('optimspec python-path: takes no arguments, got "x"');
  });

  it('fixtures verify prints a row per rule of the registry in every dtype and exits 0 within the bounds', async () => {
    const io = fakeIo();
    const code = await main(['fixtures', 'verify'], io);
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    for (const rule of registry) {
      const subject = rule.kind === 'optimizer' ? rule.name : `schedule:${rule.name}`;
      const dtypes = rule.kind === 'optimizer' ? ['float16', 'bfloat16', 'float32', 'float64'] : ['float64'];
      for (const dtype of dtypes) expect(io.out()).toMatch(new RegExp(`\\n${subject} +${dtype} .* ok\\n`));
    }
    expect(io.out()).toMatch(/all \d+ rows within bounds/);
  });

  it('fixtures verify --json gives the same rows as data', async () => {
    const io = fakeIo();
    expect(await main(['fixtures', 'verify', '--json'], io)).toBe(0);
    const parsed = JSON.parse(io.out()) as {
      ok: boolean;
      rows: { subject: string; worstUlp: number; bound: number }[];
    };
    expect(parsed.ok).toBe(true);
    expect(parsed.rows.every((r) => r.worstUlp <= r.bound)).toBe(true);
  });
});
