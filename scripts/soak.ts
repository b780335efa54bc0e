/**
 * `npm run soak`: the long runs that do not belong in `npm test` (60 s on two cores).
 * Every algebraically identical evaluation order of docs/conventions.md
 * (spec/support/evaluation-orders.ts) must conform in both dtypes over many seeds, and so
 * must correct implementations over several tensors, with groups, save and restore and
 * their own schedules (docs/spec.md section 9: the reference and the hand-written one of
 * spec/support/planted/tensors.ts) on every subject over several tensors, and correct
 * float16, bfloat16 and mixed-precision implementations (the references,
 * spec/support/planted/bfloat16.ts and mixed.ts) on every subject;
 * then the spec files' whole catalogues (OPTIMSPEC_SOAK=1, spec/support/soak.ts): attribution
 * over the planted-bug catalogue in both dtypes, every convention accepted.
 * Usage: node --import tsx scripts/soak.ts [seeds=50] [first seed=1]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { checkConformance } from '../src/conformance/check.js';
import {
  type EvaluationOrder,
  evaluationOrderAdapter,
  judgedAsRequired,
  ORDER_SUBJECTS,
} from '../spec/support/evaluation-orders.js';
import { type Adapter, referenceAdapter } from '../src/adapter/index.js';
import type { Dtype } from '../src/reference/types.js';
import { TENSOR_SUBJECTS } from '../src/adapter/index.js';
import { tensorImplementation } from '../spec/support/planted/tensors.js';
import { bfloat16Adam } from '../spec/support/planted/bfloat16.js';
import { handAdam } from '../spec/support/planted/mixed.js';

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
        if (judgedAsRequired(order, r)) continue;
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
// Correct 16-bit and mixed-precision implementations (docs/spec.md D10, "Mixed precision"): the references on every
// subject, hand-written Adams in PyTorch's order (bfloat16) and the lecture's (float16, mixed).
const mixed = { state: 'float32', arithmetic: 'float32' } as const;
const precisionImplementations: Record<string, Adapter> = {
  'reference in bfloat16': referenceAdapter({ dtype: 'bfloat16' }),
  'hand-written Adam in bfloat16': bfloat16Adam({ name: 'hand-written bfloat16 Adam' }),
  'reference in float16': referenceAdapter({ dtype: 'float16' }),
  'hand-written Adam in float16': handAdam({ name: 'hand-written float16 Adam', dtype: 'float16' }),
  'Adam, bfloat16 parameters, float32 state': handAdam({ name: 'mixed bf16', dtype: 'bfloat16', precision: mixed }),
  'Adam, float32 master weights': handAdam({
    name: 'master weights',
    dtype: 'bfloat16',
    precision: { ...mixed, parameters: 'float32' },
  }),
  'Adam, float16 parameters, float32 state': handAdam({ name: 'mixed f16', dtype: 'float16', precision: mixed }),
};
for (const [name, adapter] of Object.entries(precisionImplementations)) {
  for (let seed = first; seed < first + count; seed++) {
    const report = await checkConformance(adapter, { seed });
    runs++;
    for (const r of report.results) {
      if (r.verdict === 'conforms' || r.verdict === 'unsupported') continue;
      failures++;
      const problem = r.findings.find((f) => f.status !== 'pass');
      console.log(`FAIL ${name} seed ${seed} ${r.subject}: ${r.verdict}: ${problem?.check}: ${problem?.message}`);
    }
  }
  console.log(`${name}: ${count} seeds done`);
}

const tensorImplementations: Record<string, (dtype: Dtype) => Adapter> = {
  reference: (dtype) => referenceAdapter({ dtype }),
  'hand-written': (dtype) => tensorImplementation({ name: 'hand-written over several tensors', dtype }),
};
for (const [name, make] of Object.entries(tensorImplementations)) {
  for (const dtype of ['float32', 'float64'] as const) {
    for (let seed = first; seed < first + count; seed++) {
      const report = await checkConformance(make(dtype), { seed, only: [...TENSOR_SUBJECTS] });
      runs++;
      for (const r of report.results) {
        if (r.verdict === 'conforms') continue;
        failures++;
        const problem = r.findings.find((f) => f.status !== 'pass' && f.status !== 'skipped');
        console.log(
          `FAIL ${name} ${dtype} seed ${seed} ${r.subject}: ${r.verdict}: ${problem?.check}: ${problem?.message}`,
        );
      }
    }
  }
  console.log(`${name} over several tensors: ${count} seeds x 2 dtypes done`);
}

console.log(
  `${runs - failures} passed, ${failures} failed (${runs} checks over seeds ${first}..${first + count - 1}, ${((Date.now() - started) / 1000).toFixed(1)} s)`,
);

/** The spec files whose whole catalogue runs here (npm test runs a representative case of each property). */
const CATALOGUES = [
  // Attribution over the whole planted-bug catalogue, both dtypes.
  'spec/attribution.spec.ts',
  // The same over several tensors: every planted bug of docs/spec.md section 9, both dtypes.
  'spec/tensors-check.spec.ts',
  // Every planted convention accepted, not only one.
  'spec/conformance-planted.spec.ts',
];
console.log(`\nthe whole catalogues of ${CATALOGUES.join(', ')}`);
const catalogues = spawnSync(
  process.execPath,
  [fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url)), 'run', ...CATALOGUES],
  {
    stdio: 'inherit',
    env: { ...process.env, OPTIMSPEC_SOAK: '1', OPTIMSPEC_ATTRIBUTION: 'all' },
    cwd: fileURLToPath(new URL('..', import.meta.url)),
  },
);
process.exitCode = failures === 0 && catalogues.status === 0 ? 0 : 1;
