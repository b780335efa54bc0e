import { describe, expect, test } from 'vitest';
import { CONVENTION_IDS, parseCheckArgs, SUBJECTS } from '../src/cli/check-args.js';
import { UsageError } from '../src/cli/usage-error.js';

const usage = (argv: string[]): string => {
  try {
    parseCheckArgs(argv);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error(`${JSON.stringify(argv)} was accepted`);
};

describe('parseCheckArgs', () => {
  test('knows the fourteen subjects and the eight convention ids of conventions.md', () => {
    expect(SUBJECTS).toEqual([
      'sgd',
      'momentum',
      'nesterov',
      'adagrad',
      'rmsprop',
      'adam',
      'schedule:step',
      'schedule:exponential',
      'schedule:inverse-time',
      'tensors:several',
      'tensors:missing-gradient',
      'tensors:groups',
      'tensors:own-schedule',
      'tensors:save-restore',
    ]);
    expect([...CONVENTION_IDS].sort()).toEqual([
      'dampened-momentum',
      'epsilon-hat',
      'epsilon-inside-sqrt',
      'global-step',
      'initial-accumulator',
      'lr-placement',
      'no-bias-correction',
      'non-finite',
    ]);
  });

  test('reads every flag; --only and --accept repeat and take comma lists, without duplicates', () => {
    const args = parseCheckArgs([
      'a.mjs',
      '--only',
      'adam,sgd',
      '--only',
      'schedule:step',
      '--only',
      'adam',
      '--accept',
      'epsilon-hat',
      '--accept',
      'lr-placement,epsilon-hat',
      '--runs',
      '0.5',
      '--seed=-2147483648',
      '--timeout',
      '250',
      '--total-timeout',
      '60000',
      '--json',
      'r/a.json',
      '--junit',
      'r/a.xml',
      '--markdown',
      'r/a.md',
      '--no-color',
      '--quiet',
    ]);
    expect(args).toEqual({
      help: false,
      module: 'a.mjs',
      only: ['adam', 'sgd', 'schedule:step'],
      accept: ['epsilon-hat', 'lr-placement'],
      runs: 0.5,
      seed: -2147483648,
      timeoutMs: 250,
      totalTimeoutMs: 60000,
      json: 'r/a.json',
      junit: 'r/a.xml',
      markdown: 'r/a.md',
      noColor: true,
      quiet: true,
      verbose: false,
    });
    expect(parseCheckArgs(['--exec', 'python3 x.py'])).toEqual({
      help: false,
      exec: 'python3 x.py',
      accept: [],
      noColor: false,
      quiet: false,
      verbose: false,
    });
    expect(parseCheckArgs(['a.mjs', '--verbose']).verbose).toBe(true);
    expect(parseCheckArgs(['--help']).help).toBe(true);
    expect(parseCheckArgs(['-h']).help).toBe(true);
  });

  test('names the flag and the value of every bad one', () => {
    expect(usage(['a.mjs', '--colour'])).toBe('unknown option --colour');
    expect(usage(['a.mjs', '-x'])).toBe('unknown option -x');
    expect(usage(['a.mjs', '--json'])).toBe('--json needs a value');
    expect(usage(['a.mjs', '--json', '--quiet'])).toBe(
      '--json needs a value (if the value starts with "-", write --json=<value>)',
    );
    expect(usage(['a.mjs', '--seed', '--quiet'])).toBe(
      '--seed needs a value (if the value starts with "-", write --seed=<value>)',
    );
    expect(usage(['a.mjs', '--seed', '-3.5'])).toBe(
      '--seed must be an integer in [-2147483648, 2147483647], got "-3.5"',
    );
    expect(usage(['a.mjs', '--json', ''])).toBe('--json needs a file path, got ""');
    expect(usage(['a.mjs', '--only', 'adamw'])).toMatch(
      /^--only: unknown name "adamw"; did you mean "adam"\?; expected one of sgd, /,
    );
    expect(usage(['a.mjs', '--only', 'adam,'])).toMatch(/^--only: unknown name ""/);
    expect(usage(['a.mjs', '--accept', 'amsgrad'])).toMatch(/^--accept: unknown name "amsgrad"; expected one of /);
    expect(usage(['a.mjs', '--runs', '0'])).toBe('--runs must be a number > 0, got "0"');
    expect(usage(['a.mjs', '--runs', 'Infinity'])).toBe('--runs must be a number > 0, got "Infinity"');
    expect(usage(['a.mjs', '--runs', ''])).toBe('--runs must be a number > 0, got ""');
    expect(usage(['a.mjs', '--seed', '2147483648'])).toBe(
      '--seed must be an integer in [-2147483648, 2147483647], got "2147483648"',
    );
    expect(usage(['a.mjs', '--seed', '0x10'])).toBe(
      '--seed must be an integer in [-2147483648, 2147483647], got "0x10"',
    );
    expect(usage(['a.mjs', '--timeout', '1.5'])).toBe(
      '--timeout must be a positive integer number of milliseconds, got "1.5"',
    );
    expect(usage(['a.mjs', '--runs', '1e400'])).toBe('--runs must be a number > 0, got "1e400"');
    expect(usage(['a.mjs', '--total-timeout=-1'])).toBe(
      '--total-timeout must be a positive integer number of milliseconds, got "-1"',
    );
    expect(usage(['a.mjs', '--seed', '1', '--seed', '2'])).toBe('--seed given more than once');
  });

  test('a negative seed may be written as the next word, as a report prints it: --seed -5', () => {
    expect(parseCheckArgs(['a.mjs', '--seed', '-5']).seed).toBe(-5);
    expect(parseCheckArgs(['--seed', '-2147483648', 'a.mjs'])).toMatchObject({ seed: -2147483648, module: 'a.mjs' });
    // Only the word after --seed is joined: a module path starting with "-" elsewhere is still refused by parseArgs.
    expect(usage(['a.mjs', '--quiet', '-5'])).toBe('unknown option -5');
  });

  test('an unknown flag, subject or convention id gets a did-you-mean, case-insensitive matches included', () => {
    expect(usage(['a.mjs', '--juint', 'r.xml'])).toBe('unknown option --juint; did you mean "--junit"?');
    expect(usage(['a.mjs', '--Quiet'])).toBe('unknown option --Quiet; did you mean "--quiet"?');
    expect(usage(['a.mjs', '--verbos'])).toBe('unknown option --verbos; did you mean "--verbose"?');
    expect(usage(['a.mjs', '--only', 'Adam'])).toMatch(
      /^--only: unknown name "Adam"; did you mean "adam"\?; expected one of sgd, /,
    );
    expect(usage(['a.mjs', '--only', 'rmsporp'])).toMatch(/^--only: unknown name "rmsporp"; did you mean "rmsprop"\?/);
    expect(usage(['a.mjs', '--only', 'step'])).toMatch(/^--only: unknown name "step"; did you mean "schedule:step"\?/);
    expect(usage(['a.mjs', '--accept', 'Epsilon-Hat'])).toMatch(
      /^--accept: unknown name "Epsilon-Hat"; did you mean "epsilon-hat"\?/,
    );
    expect(usage(['a.mjs', '--accept', 'eps-inside-sqrt'])).toMatch(/did you mean "epsilon-inside-sqrt"\?/);
    // A known bug is refused with the reason, not as an unknown name.
    expect(usage(['a.mjs', '--accept', 'ascent'])).toBe(
      '--accept: "ascent" is a known bug, not a convention: it can be named but never accepted (docs/conventions.md, "Known bugs")',
    );
    // Nothing close: no guess rather than a wrong one.
    expect(usage(['a.mjs', '--xyzzy'])).toBe('unknown option --xyzzy');
    expect(usage(['a.mjs', '--accept', 'amsgrad'])).toMatch(/^--accept: unknown name "amsgrad"; expected one of /);
  });

  test('wants exactly one adapter: a module or --exec', () => {
    expect(usage([])).toBe('missing the adapter: give an adapter module or --exec "<command>"');
    expect(usage(['a.mjs', 'b.mjs'])).toBe('one adapter module at a time, got 2: "a.mjs" "b.mjs"');
    expect(usage(['a.mjs', '--exec', 'python3 x.py'])).toBe(
      'give either an adapter module or --exec, not both (got module "a.mjs" and --exec "python3 x.py")',
    );
    expect(usage(['--exec', ' '])).toBe('--exec needs a command, got ""');
  });

  test('--browser takes the adapter module, and --chromium only goes with it', () => {
    expect(parseCheckArgs(['--browser', 'a.mjs', '--chromium', '/opt/chromium'])).toMatchObject({
      module: 'a.mjs',
      browser: true,
      chromium: '/opt/chromium',
    });
    expect(parseCheckArgs(['a.mjs']).browser).toBeUndefined();
    expect(usage(['--browser', '--exec', 'python3 x.py'])).toBe(
      '--browser runs an adapter module in Chromium, not an --exec program',
    );
    expect(usage(['a.mjs', '--chromium', '/opt/chromium'])).toBe(
      '--chromium "/opt/chromium" is for --browser, which was not given',
    );
    expect(usage(['--browser', 'a.mjs', '--chromium', ''])).toBe('--chromium needs a path, got ""');
  });
});
