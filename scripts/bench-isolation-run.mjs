// One timed full check of the reference in a fresh process, for scripts/bench-isolation.ts:
// `node scripts/bench-isolation-run.mjs <in-process|isolated> <float32|float64> <seed>` prints the seconds.
// Both modes use the built dist/ (what the CLI runs); importing it is not timed, the worker's start and
// the module's load in it are.
import { fileURLToPath } from 'node:url';
import { referenceAdapter } from '../dist/adapter/index.js';
import { checkConformance, prepareConformance } from '../dist/conformance/index.js';
import { isolateAdapter } from '../dist/isolation/index.js';

const [mode, dtype, seedText] = process.argv.slice(2);
const seed = Number(seedText);
const t0 = performance.now();
let passed;
if (mode === 'in-process') {
  passed = (await checkConformance(referenceAdapter({ dtype }), { seed })).passed;
} else {
  // As the CLI does (src/cli/check-command.ts): the fixtures are read while the worker starts.
  const starting = isolateAdapter(fileURLToPath(new URL(`./bench-adapters/reference-${dtype}.mjs`, import.meta.url)));
  prepareConformance();
  const adapter = await starting;
  try {
    passed = (await checkConformance(adapter, { seed, beforeSubject: () => adapter.renew() })).passed;
  } finally {
    await adapter.close();
  }
}
process.stdout.write(JSON.stringify({ seconds: (performance.now() - t0) / 1000, passed }));
