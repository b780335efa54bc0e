/**
 * `npm run soak`: the long runs that do not belong in `npm test` (60 s on two cores).
 * Every algebraically identical evaluation order of docs/conventions.md
 * (spec/support/evaluation-orders.ts) must conform in both dtypes over many seeds;
 * attribution over the whole planted-bug catalogue; the packed tarball installed by npm.
 * Usage: node --import tsx scripts/soak.ts [seeds=50] [first seed=1]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { checkConformance } from '../src/conformance/check.js';
import { type EvaluationOrder, evaluationOrderAdapter, ORDER_SUBJECTS } from '../spec/support/evaluation-orders.js';

const count = Number(process.argv[2] ?? 50);
const first = Number(process.argv[3] ?? 1);
if (!(Number.isSafeInteger(count) && count > 0))
  throw new RangeError(`seeds must be a positive integer, got ${process.argv[2]}`);
if (!Number.isSafeInteger(first)) throw new RangeError(`first seed must be an integer, got ${process.argv[3]}`);

let failures = 0;
let runs = 0;
const started = Date.now();
for (const order of Object.keys(ORDER_SUBJECTS) as EvaluationOrder[]) {
  for (const dtype of ['float32', 'float64'] as const) {
    for (let seed = first; seed < first + count; seed++) {
      const report = await checkConformance(evaluationOrderAdapter(order, dtype), {
        seed,
        only: [...ORDER_SUBJECTS[order]],
      });
      runs++;
      for (const r of report.results) {
        if (r.verdict === 'conforms') continue;
        failures++;
        const problem = r.findings.find((f) => f.status !== 'pass');
        console.log(
          `FAIL ${order} ${dtype} seed ${seed} ${r.subject}: ${r.verdict}: ${problem?.check}: ${problem?.message}`,
        );
      }
    }
  }
  console.log(`${order}: ${count} seeds x 2 dtypes done`);
}
console.log(
  `${runs - failures} passed, ${failures} failed (${runs} checks over seeds ${first}..${first + count - 1}, ${((Date.now() - started) / 1000).toFixed(1)} s)`,
);

console.log(
  '\nattribution over the whole planted-bug catalogue, both dtypes (spec/attribution.spec.ts, OPTIMSPEC_ATTRIBUTION=all)',
);
const attribution = spawnSync(
  process.execPath,
  [fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url)), 'run', 'spec/attribution.spec.ts'],
  {
    stdio: 'inherit',
    env: { ...process.env, OPTIMSPEC_ATTRIBUTION: 'all' },
    cwd: fileURLToPath(new URL('..', import.meta.url)),
  },
);

console.log(
  '\nthe packed tarball installed by npm itself (spec/package-vitest.spec.ts, OPTIMSPEC_PACKAGE_INSTALL=npm)',
);
const install = spawnSync(
  process.execPath,
  [fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url)), 'run', 'spec/package-vitest.spec.ts'],
  {
    stdio: 'inherit',
    env: { ...process.env, OPTIMSPEC_PACKAGE_INSTALL: 'npm' },
    cwd: fileURLToPath(new URL('..', import.meta.url)),
  },
);
process.exitCode = failures === 0 && attribution.status === 0 && install.status === 0 ? 0 : 1;
