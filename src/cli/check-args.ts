import { parseArgs } from 'node:util';
import { CONVENTION_IDS, optimizerRules, scheduleRules } from '../registry/index.js';
import type { ConventionId } from '../reference/index.js';
import { TENSOR_SUBJECTS } from '../adapter/index.js';
import { decodeReplay, didYouMeanSuffix, knownBugRefusal } from '../conformance/index.js';
import { UsageError } from './usage-error.js';

/** The subjects `--only` accepts: the six optimizers, the three schedules (docs/spec.md sections 1 to 7) and the five checks over several tensors (section 9). */
export const SUBJECTS: readonly string[] = [
  ...optimizerRules.map((r) => r.name),
  ...scheduleRules.map((r) => `schedule:${r.name}`),
  ...TENSOR_SUBJECTS,
];

/** The convention ids `--accept` accepts (docs/conventions.md). */
export { CONVENTION_IDS } from '../registry/index.js';

/** What `optimspec check` was asked to do, validated. */
export interface CheckArgs {
  help: boolean;
  /** The adapter module path, or undefined with `exec`. */
  module?: string;
  /** The command line of a protocol adapter (`--exec`). */
  exec?: string;
  /** Run the module in a page of headless Chromium instead of a worker thread (`--browser`). */
  browser?: true;
  /** Chromium's executable for `--browser` (`--chromium`; default: found on the PATH). */
  chromium?: string;
  only?: string[];
  accept: ConventionId[];
  runs?: number;
  seed?: number;
  timeoutMs?: number;
  totalTimeoutMs?: number;
  json?: string;
  junit?: string;
  markdown?: string;
  /** The self-contained HTML report with charts (docs/html-report.md). */
  html?: string;
  noColor: boolean;
  quiet: boolean;
  /** Every problem in full, not only the first per subject (`--verbose`). */
  verbose: boolean;
  /** A finding's replay token: re-run exactly that check (its subject, seed and runs come with it). */
  replay?: string;
  /** The length of the large-vector probe (`--large-vector`). */
  largeVector?: number;
  /** Check with this many seeds, `seed`, `seed + 1`, ... (`--seeds`): one report per seed. */
  seeds?: number;
  /** Only the seeds of this shard (`--shard k/n`): those whose index i (from 0) has i mod n = k - 1. */
  shard?: { k: number; n: number };
}

const options = {
  help: { type: 'boolean', short: 'h' },
  exec: { type: 'string' },
  browser: { type: 'boolean' },
  chromium: { type: 'string' },
  only: { type: 'string', multiple: true },
  accept: { type: 'string', multiple: true },
  runs: { type: 'string' },
  seed: { type: 'string' },
  timeout: { type: 'string' },
  'total-timeout': { type: 'string' },
  json: { type: 'string' },
  junit: { type: 'string' },
  markdown: { type: 'string' },
  html: { type: 'string' },
  'no-color': { type: 'boolean' },
  quiet: { type: 'boolean' },
  verbose: { type: 'boolean' },
  replay: { type: 'string' },
  'large-vector': { type: 'string' },
  seeds: { type: 'string' },
  shard: { type: 'string' },
} as const;

/** Every flag as written on the command line, for did-you-mean. */
const FLAGS: readonly string[] = [...Object.keys(options).map((k) => `--${k}`), '-h'];

const repeatable = new Set(['only', 'accept']);

/** Comma lists and repeated flags alike, each name checked against the known ones, duplicates dropped. */
function names<T extends string>(
  flag: string,
  values: readonly string[] | undefined,
  known: readonly T[],
): T[] | undefined {
  if (values === undefined) return undefined;
  const out: T[] = [];
  for (const raw of values.flatMap((v) => v.split(','))) {
    const name = raw.trim();
    const bug = flag === 'accept' ? knownBugRefusal(name) : undefined;
    if (bug !== undefined) throw new UsageError(`--accept: ${bug}`);
    if (!(known as readonly string[]).includes(name)) {
      throw new UsageError(
        `--${flag}: unknown name ${JSON.stringify(name)}${didYouMeanSuffix(name, known)}; expected one of ${known.join(', ')}`,
      );
    }
    if (!out.includes(name as T)) out.push(name as T);
  }
  return out;
}

/** Plain decimal notation only, so that `0x10`, `1_0` or `Infinity` are not read as numbers by accident. */
const decimal = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function number(
  flag: string,
  value: string | undefined,
  check: (n: number) => boolean,
  what: string,
): number | undefined {
  if (value === undefined) return undefined;
  const n = decimal.test(value.trim()) ? Number(value) : Number.NaN;
  if (!check(n)) throw new UsageError(`--${flag} must be ${what}, got ${JSON.stringify(value)}`);
  return n;
}

const isInt32 = (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31;
const isPositiveMs = (n: number) => Number.isSafeInteger(n) && n > 0;

/** Rewords `parseArgs`' errors so that each names the flag and the value (docs/cli.md, exit code 2). */
function reword(error: Error & { code?: string }): UsageError {
  const flag = error.message.match(/'(-{1,2}[^' ]+)/)?.[1];
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
    return new UsageError(
      `unknown option ${flag ?? error.message}${flag ? didYouMeanSuffix(flag.replace(/=.*/, ''), FLAGS) : ''}`,
    );
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (flag && /ambiguous/.test(error.message))
      return new UsageError(`${flag} needs a value (if the value starts with "-", write ${flag}=<value>)`);
    return new UsageError(flag && /argument missing/.test(error.message) ? `${flag} needs a value` : error.message);
  }
  if (error.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return new UsageError(error.message);
  return new UsageError(error.message);
}

/** `--seed -5` as `--seed=-5`: parseArgs reads a value starting with `-` as an option, but a seed may be negative. */
function joinNegativeSeed(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const next = argv[i + 1];
    if (argv[i] === '--seed' && next !== undefined && /^-\d/.test(next)) {
      out.push(`--seed=${next}`);
      i++;
    } else out.push(argv[i]!);
  }
  return out;
}

/**
 * Parses `optimspec check`'s arguments with `node:util` `parseArgs` and
 * validates every value; throws a {@link UsageError} naming the flag and the
 * value for anything wrong.
 */
export function parseCheckArgs(argv: readonly string[]): CheckArgs {
  let parsed: ReturnType<
    typeof parseArgs<{ args: string[]; options: typeof options; allowPositionals: true; strict: true; tokens: true }>
  >;
  try {
    parsed = parseArgs({ args: joinNegativeSeed(argv), options, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    throw reword(error as Error & { code?: string });
  }
  const seen = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind !== 'option' || repeatable.has(token.name)) continue;
    if (seen.has(token.name)) throw new UsageError(`${token.rawName} given more than once`);
    seen.add(token.name);
  }
  const v = parsed.values;
  const help = v.help === true;
  const positionals = parsed.positionals;
  if (!help) {
    if (v.exec !== undefined && positionals.length > 0) {
      throw new UsageError(
        `give either an adapter module or --exec, not both (got module ${JSON.stringify(positionals[0])} and --exec ${JSON.stringify(v.exec)})`,
      );
    }
    if (positionals.length > 1)
      throw new UsageError(
        `one adapter module at a time, got ${positionals.length}: ${positionals.map((p) => JSON.stringify(p)).join(' ')}`,
      );
    if (v.exec === undefined && positionals.length === 0)
      throw new UsageError('missing the adapter: give an adapter module or --exec "<command>"');
    if (v.exec !== undefined && v.exec.trim() === '') throw new UsageError('--exec needs a command, got ""');
    if (v.browser === true && v.exec !== undefined)
      throw new UsageError('--browser runs an adapter module in Chromium, not an --exec program');
    if (v.chromium !== undefined && v.browser !== true)
      throw new UsageError(`--chromium ${JSON.stringify(v.chromium)} is for --browser, which was not given`);
    if (v.chromium !== undefined && v.chromium.trim() === '') throw new UsageError('--chromium needs a path, got ""');
  }
  for (const flag of ['json', 'junit', 'markdown', 'html'] as const) {
    if (v[flag] !== undefined && v[flag].trim() === '') throw new UsageError(`--${flag} needs a file path, got ""`);
  }
  const only = names('only', v.only, SUBJECTS);
  const runs = number('runs', v.runs, (n) => Number.isFinite(n) && n > 0, 'a number > 0');
  const seed = number('seed', v.seed, isInt32, 'an integer in [-2147483648, 2147483647]');
  const timeoutMs = number('timeout', v.timeout, isPositiveMs, 'a positive integer number of milliseconds');
  const totalTimeoutMs = number(
    'total-timeout',
    v['total-timeout'],
    isPositiveMs,
    'a positive integer number of milliseconds',
  );
  const largeVector = number(
    'large-vector',
    v['large-vector'],
    (n) => Number.isSafeInteger(n) && n >= 13 && n <= 2 ** 26,
    `an integer in [13, ${2 ** 26}]`,
  );
  const { seeds, shard } = seedsArgs(v, seed);
  if (v.replay !== undefined) {
    try {
      decodeReplay(v.replay);
    } catch (error) {
      throw new UsageError(`--replay: ${(error as Error).message}`);
    }
  }
  return {
    help,
    ...(positionals[0] === undefined ? {} : { module: positionals[0] }),
    ...(v.exec === undefined ? {} : { exec: v.exec }),
    ...(v.browser === true ? { browser: true as const } : {}),
    ...(v.chromium === undefined ? {} : { chromium: v.chromium }),
    ...(only === undefined ? {} : { only }),
    accept: names('accept', v.accept, CONVENTION_IDS) ?? [],
    ...(runs === undefined ? {} : { runs }),
    ...(seed === undefined ? {} : { seed }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(totalTimeoutMs === undefined ? {} : { totalTimeoutMs }),
    ...(v.json === undefined ? {} : { json: v.json }),
    ...(v.junit === undefined ? {} : { junit: v.junit }),
    ...(v.markdown === undefined ? {} : { markdown: v.markdown }),
    ...(v.html === undefined ? {} : { html: v.html }),
    noColor: v['no-color'] === true,
    quiet: v.quiet === true,
    verbose: v.verbose === true,
    ...(v.replay === undefined ? {} : { replay: v.replay }),
    ...(largeVector === undefined ? {} : { largeVector }),
    ...(seeds === undefined ? {} : { seeds }),
    ...(shard === undefined ? {} : { shard }),
  };
}

/** `--seeds` and `--shard`, checked against each other and against the flags they exclude. */
function seedsArgs(
  v: { seeds?: string; shard?: string; replay?: string; junit?: string; markdown?: string; html?: string },
  seed: number | undefined,
): { seeds?: number; shard?: { k: number; n: number } } {
  const seeds = number(
    'seeds',
    v.seeds,
    (n) => Number.isSafeInteger(n) && n >= 1 && n <= 100_000,
    'an integer in [1, 100000]',
  );
  const shard = v.shard === undefined ? undefined : parseShard(v.shard);
  if (shard !== undefined && seeds === undefined)
    throw new UsageError(`--shard ${v.shard} needs --seeds N: it splits the N seeds among n jobs`);
  if (shard !== undefined && seeds !== undefined && shard.k > seeds)
    throw new UsageError(`--shard ${v.shard} of --seeds ${seeds} holds no seed: use at most ${seeds} shards`);
  if (shard !== undefined && seed === undefined)
    throw new UsageError(`--shard ${v.shard} needs --seed: every shard must count its seeds from the same one`);
  if (seeds !== undefined && v.replay !== undefined)
    throw new UsageError('--seeds and --replay do not go together: a replay token carries its own seed');
  for (const flag of ['junit', 'markdown', 'html'] as const)
    if (seeds !== undefined && v[flag] !== undefined)
      throw new UsageError(
        `--seeds writes one report per seed into --json only, not --${flag} (that format describes one run: re-run a failing seed with --seed)`,
      );
  return { ...(seeds === undefined ? {} : { seeds }), ...(shard === undefined ? {} : { shard }) };
}

/** `--shard k/n`: 1 <= k <= n; a UsageError naming the value otherwise. */
function parseShard(value: string): { k: number; n: number } {
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  const [k, n] = m === null ? [Number.NaN, Number.NaN] : [Number(m[1]), Number(m[2])];
  if (!(Number.isSafeInteger(k) && Number.isSafeInteger(n) && k >= 1 && k <= n))
    throw new UsageError(`--shard must be k/n with 1 <= k <= n (this job's share of n), got ${JSON.stringify(value)}`);
  return { k, n };
}
