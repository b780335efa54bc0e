import type { LawResult, LawRunOptions } from '../../src/laws/law.js';

/**
 * The replay options from the environment: `OPTIMSPEC_SEED` (an integer) and
 * `OPTIMSPEC_PATH` (fast-check's path), as printed by a failing law. Only the test
 * support reads the environment; the laws themselves stay free of I/O.
 */
export function replayOptions(): Pick<LawRunOptions, 'seed' | 'path'> {
  const seed = process.env.OPTIMSPEC_SEED;
  const path = process.env.OPTIMSPEC_PATH;
  if (seed === undefined) return {};
  const parsed = Number(seed);
  if (!Number.isSafeInteger(parsed))
    throw new RangeError(`OPTIMSPEC_SEED must be an integer, got ${JSON.stringify(seed)}`);
  return { seed: parsed, ...(path === undefined ? {} : { path }) };
}

/** A failing law's message: what broke, the shrunk counterexample, and the command that replays it. */
export function describeFailure(result: LawResult, file: string): string {
  const replay = `OPTIMSPEC_SEED=${result.seed}${result.path === undefined ? '' : ` OPTIMSPEC_PATH=${result.path}`} npx vitest run ${file}`;
  return [
    `${result.id}: ${result.status} after ${result.numRuns} runs (seed ${result.seed}${result.path === undefined ? '' : `, path ${result.path}`})`,
    result.message ?? '',
    `violation: ${JSON.stringify(result.violation ?? {})}`,
    `counterexample: ${JSON.stringify(result.counterexample, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : Object.is(v, -0) ? '-0' : v))}`,
    `replay: ${replay}`,
  ].join('\n');
}
