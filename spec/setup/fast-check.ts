import fc from 'fast-check';

// Replays a failing property run: fast-check prints the seed and path of the
// counterexample on failure; set OPTIMSPEC_SEED (and OPTIMSPEC_PATH) to run it again.
const seed = process.env.OPTIMSPEC_SEED;
const path = process.env.OPTIMSPEC_PATH;
if (seed !== undefined) {
  const parsed = Number(seed);
  if (!Number.isSafeInteger(parsed))
    throw new RangeError(`OPTIMSPEC_SEED must be an integer, got ${JSON.stringify(seed)}`);
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: parsed, ...(path === undefined ? {} : { path }) });
}
