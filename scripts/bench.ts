/**
 * `npm run bench`: the speed targets of issues 4 and 11, measured on this machine and
 * never asserted in a timed test.
 *
 * - A full check (all optimizers and schedules, default run counts, fixed seed) of
 *   the reference adapter in-process in both dtypes and of examples/tfjs.mjs:
 *   target <= 10 s each; of the stdlib Python adapter over the stdio protocol,
 *   child start-up and shutdown included: target <= 60 s.
 * - The reference step on 1e6-element Float32Array / Float64Array vectors, per rule:
 *   median ms per step with the default loop (the SIMD kernel) and with the TypeScript
 *   loop, NumPy running the lecture's code (scripts/bench_numpy.py, where python3 has
 *   NumPy), a memory copy of the same bytes (the floor), their ratios, and the heap
 *   growth per step (the rules must not allocate per step). Each rule, dtype and loop
 *   is timed in its own child process (`--throughput <rule> <dtype> <policy>`): after a
 *   full check every call site is polymorphic, and that, not the rule, would be measured.
 *   Issue 11's targets for Adam: float64 >= 3x faster than NumPy and <= 4x the floor;
 *   float32 faster than NumPy.
 *
 * Prints tables and exits 1 if a target is missed. `BENCH_SEED` changes the seed;
 * `--steps` prints the step table alone, `--isolation` the isolation table alone, `--horizon` the long-horizon tables
 * alone (the `long-horizon` check of a full check on the reference, every rule: target <= 1 s per dtype; and
 * checkLongHorizon on the reference, 10^6 steps per rule and dtype: target <= 1 s each); `--crossover` times both loops at small
 * sizes, for SIMD_MIN_SIZE (src/kernels/kernel-policy.ts).
 * The full check of the reference also runs isolated in a worker thread (what the CLI
 * runs for a module), each in a fresh process from the built dist/: target isolated
 * <= 1.2x in-process (scripts/bench-isolation.ts).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { type Adapter, referenceAdapter } from '../src/adapter/contract.js';
import { checkConformance } from '../src/conformance/check.js';
import type { ConformanceReport } from '../src/conformance/types.js';
import { ISOLATION_REPEATS, ISOLATION_TARGET_RATIO, isolationRows } from './bench-isolation.js';
import { checkLongHorizon, horizonEdges } from '../src/conformance/long-horizon.js';
import { hasLongHorizon, LONG_HORIZON_CHECK, longHorizonScenarios } from '../src/conformance/long-horizon-check.js';
import { encodeReplay } from '../src/conformance/replay.js';
import { createOptimizer } from '../src/registry/create.js';
import { allocate } from '../src/numerics/dtype.js';
import { type KernelPolicy, SIMD_MIN_SIZE, withKernelPolicy } from '../src/kernels/kernel-policy.js';
import { loadAdapter } from '../src/adapter/load-adapter.js';
import { LECTURE_EPSILON, lecturePresets } from '../src/reference/presets.js';
import { usesSimd } from '../src/optimizers/instance.js';
import { spawnAdapter } from '../src/protocol/spawn-adapter.js';
import { optimizerRules } from '../src/registry/registry.js';
import type { Dtype, OptimizerConfig, OptimizerName } from '../src/reference/types.js';

const SEED = Number(process.env.BENCH_SEED ?? 20261125);
/** Issue 4, "Speed". */
const IN_PROCESS_TARGET_S = 10;
/** Issue 11: the stdlib Python example over the protocol (was 8.8 s). */
const PROTOCOL_TARGET_S = 5;
/** Issue 11: PyTorch's optimizers and schedulers over the protocol, float64 (was 51 to 62 s). */
const PYTORCH_TARGET_S = 15;
/** Debian's python3-torch installs for this interpreter, not for a python3 earlier on PATH. */
const TORCH_PYTHON = process.env.OPTIMSPEC_TORCH_PYTHON ?? '/usr/bin/python3';
const VECTOR = 1_000_000;
/** Interleaved rounds of the reference and NumPy per rule and dtype. */
const ROUNDS = 3;
/**
 * Heap growth per step allowed on a 1e6-element vector. A rule that allocates a
 * temporary vector per step grows by at least 4 MB; scalar garbage that does not scale
 * with the vector stays far below 64 KiB (measured: 14 B for most rules; Adam up to
 * about 7 KiB, the doubles V8 boxes when it does not inline the double-double calls
 * behind the correctly rounded `beta ** t`; 0 B in runs where it does).
 */
const ALLOCATION_LIMIT_BYTES = 64 * 1024;
/** Typical hyperparameters (docs/spec.md; the lecture gives a learning rate only for Adam). */
const CONFIGS: Record<OptimizerName, OptimizerConfig> = {
  sgd: { optimizer: 'sgd', learningRate: 1e-2 },
  momentum: { optimizer: 'momentum', learningRate: 1e-2, rho: 0.9 },
  nesterov: { optimizer: 'nesterov', learningRate: 1e-2, rho: 0.9 },
  adagrad: { optimizer: 'adagrad', learningRate: 1e-2, epsilon: LECTURE_EPSILON },
  rmsprop: { optimizer: 'rmsprop', learningRate: 1e-3, decayRate: 0.9, epsilon: LECTURE_EPSILON },
  adam: lecturePresets.adam,
};

interface CheckRow {
  what: string;
  seconds: number;
  target: number;
  report: ConformanceReport;
}

/** A plain text table, first column left-aligned. */
function table(header: string[], body: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

interface Throughput {
  /** Median milliseconds per step. */
  medianMs: number;
  bytesPerStep: number;
  gcs: number;
  /** Whether the optimizer ran the SIMD kernel. */
  simd: boolean;
  /** Median milliseconds of a memory copy moving the same bytes as one step (see {@link TRAFFIC}). */
  floorMs: number;
}

/**
 * The vectors a rule must read and write per step (x, dx and its state), as the
 * lecture's code updates them in place. The copy floor copies `(reads + writes) / 2`
 * vectors' worth of elements: a copy reads and writes each element once, so it moves
 * the same bytes with no arithmetic.
 */
const TRAFFIC: Record<OptimizerName, { reads: number; writes: number }> = {
  sgd: { reads: 2, writes: 1 },
  momentum: { reads: 3, writes: 2 },
  nesterov: { reads: 3, writes: 2 },
  adagrad: { reads: 3, writes: 2 },
  rmsprop: { reads: 3, writes: 2 },
  adam: { reads: 4, writes: 3 },
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The copy floor of `rule` on {@link VECTOR} elements of `dtype`: median of 30 copies after 5 warm-ups. */
function copyFloor(dtype: Dtype, rule: OptimizerName): number {
  const Vector = dtype === 'float32' ? Float32Array : Float64Array;
  const { reads, writes } = TRAFFIC[rule];
  const length = ((reads + writes) * VECTOR) / 2;
  const from = new Vector(length).fill(1);
  const to = new Vector(length);
  const times: number[] = [];
  for (let k = 0; k < 35; k++) {
    const t0 = performance.now();
    to.set(from);
    if (k >= 5) times.push(performance.now() - t0);
  }
  return median(times);
}

/**
 * Reference step time (median of 60 steps), heap growth per step and GCs during the
 * timed steps, on 1e6-element vectors, under a kernel policy; then the copy floor in the same process.
 */
async function throughput(dtype: Dtype, config: OptimizerConfig, policy: KernelPolicy): Promise<Throughput> {
  const Vector = dtype === 'float32' ? Float32Array : Float64Array;
  const x = new Vector(VECTOR);
  const dx = new Vector(VECTOR);
  for (let i = 0; i < VECTOR; i++) {
    x[i] = Math.sin(i);
    dx[i] = Math.cos(i * 0.7) * 1e-2;
  }
  const optimizer = withKernelPolicy(policy, () => createOptimizer(config, { size: VECTOR, dtype }));
  for (let k = 0; k < 10; k++) optimizer.step(x, dx); // warm-up: every JIT tier, so that compiled code is not counted as growth
  (globalThis as { gc?: () => void }).gc?.();
  let gcs = 0;
  const observer = new PerformanceObserver((list) => {
    gcs += list.getEntries().length;
  });
  observer.observe({ entryTypes: ['gc'] });
  // Three windows of 20 steps, each step timed. The median step time; the least heap growth
  // of the windows: a real per-step allocation shows in every window, a one-off (code
  // installed by a background compile) only in some.
  const steps = 20;
  const times: number[] = [];
  let bytesPerStep = Number.POSITIVE_INFINITY;
  for (let window = 0; window < 3; window++) {
    const heap0 = process.memoryUsage();
    for (let k = 0; k < steps; k++) {
      const t0 = performance.now();
      optimizer.step(x, dx);
      times.push(performance.now() - t0);
    }
    const heap1 = process.memoryUsage();
    const grown = heap1.heapUsed - heap0.heapUsed + (heap1.arrayBuffers - heap0.arrayBuffers);
    bytesPerStep = Math.min(bytesPerStep, Math.max(0, grown) / steps);
  }
  // gc entries are delivered asynchronously: let them arrive before counting.
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  return {
    medianMs: median(times),
    bytesPerStep,
    gcs,
    simd: usesSimd(optimizer),
    floorMs: copyFloor(dtype, config.optimizer),
  };
}

/**
 * Per-element step cost of the TypeScript loop and the SIMD kernel at small sizes, in one
 * process per rule and dtype: where `auto` should switch (src/kernels/kernel-policy.ts SIMD_MIN_SIZE).
 */
function crossover(rule: OptimizerName, dtype: Dtype): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  for (const size of [16, 64, 256, 512, 1024, 2048, 8192]) {
    const cell: number[] = [];
    for (const policy of ['typescript', 'simd'] as const) {
      const x = allocate(dtype, size).fill(0.5);
      const dx = allocate(dtype, size).fill(1e-3);
      const optimizer = withKernelPolicy(policy, () => createOptimizer(CONFIGS[rule], { size, dtype }));
      const steps = Math.max(50, Math.round(4e6 / size));
      const times: number[] = [];
      for (let round = 0; round < 7; round++) {
        const t0 = performance.now();
        for (let k = 0; k < steps; k++) optimizer.step(x, dx);
        times.push(((performance.now() - t0) * 1e6) / (steps * size));
      }
      cell.push(median(times.slice(2)));
    }
    out[size] = [cell[0]!, cell[1]!];
  }
  return out;
}

/** One round of NumPy: with glibc's default malloc settings, and with its page faults taken away. */
interface NumpyRound {
  plain: number;
  tuned: number;
}

/**
 * glibc settings under which the lecture's temporaries are not handed back to the system
 * after every step, so that NumPy does not fault their pages in again: NumPy at its best.
 * With the defaults a process may stay in the faulting regime (measured: Adam 1e6 float32
 * 9 ms a step with 4300 page faults each, 2 ms without), depending on its first allocations.
 */
const NO_PAGE_FAULTS = { MALLOC_MMAP_THRESHOLD_: String(2 ** 30), MALLOC_TRIM_THRESHOLD_: String(2 ** 30) };

/**
 * NumPy running the lecture's code for one rule and dtype (scripts/bench_numpy.py, a fresh
 * process: 5 warm-up steps, the median ms of 20), or why it cannot run here.
 */
function numpyStep(rule: OptimizerName, dtype: Dtype, env: Record<string, string>): number | string {
  const script = fileURLToPath(new URL('./bench_numpy.py', import.meta.url));
  const input = JSON.stringify({
    size: VECTOR,
    steps: 20,
    warmup: 5,
    trials: 1,
    dtypes: [dtype],
    configs: { [rule]: CONFIGS[rule] },
  });
  try {
    const out = JSON.parse(
      execFileSync('python3', [script], {
        input,
        encoding: 'utf8',
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...process.env, ...env },
      }),
    ) as Record<string, Record<Dtype, number[]>>;
    return out[rule]![dtype]![0]!;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    return `python3 with NumPy not available (${stderr.trim().split('\n').at(-1) || (error as Error).message})`;
  }
}

const self = fileURLToPath(import.meta.url);

/** Prints issue 9's table: the full check of the reference in-process against isolated in a worker. False when a ratio misses the target. */
function isolationTable(): boolean {
  process.stderr.write('in-process against isolated in a worker (issue 9), fresh processes, built dist/\n');
  const isolation = isolationRows(SEED);
  console.log(
    `\nFull check of the reference, in-process against isolated in a worker thread (what the CLI runs for a module; worker start, module load and close included), median of ${ISOLATION_REPEATS} fresh processes each, the modes alternating (target: at most ${ISOLATION_TARGET_RATIO}x)\n`,
  );
  console.log(
    table(
      ['dtype', 'in-process s', 'isolated s', 'ratio', 'ok'],
      isolation.map((r) => [
        r.dtype,
        r.inProcess.toFixed(2),
        r.isolated.toFixed(2),
        r.ratio.toFixed(2),
        r.ratio <= ISOLATION_TARGET_RATIO ? 'yes' : 'MISSED',
      ]),
    ),
  );
  return isolation.every((r) => r.ratio <= ISOLATION_TARGET_RATIO);
}

/** Issue 19: a long-horizon check of the reference in-process, 10^6 steps. */
const HORIZON_TARGET_S = 1;
const HORIZON = 1_000_000;

/**
 * Prints the long-horizon table: per rule and dtype, checkLongHorizon on the reference
 * (a constant gradient for 10^6 steps through batched `steps`, compared at the edges of
 * horizonEdges), its time and the bound at t = 10^6 relative to x. False when one misses
 * the target.
 */
async function horizonTable(): Promise<boolean> {
  const rules = ['sgd', 'momentum', 'adagrad', 'rmsprop', 'adam'] as const;
  const body: string[][] = [];
  let ok = true;
  for (const dtype of ['float32', 'float64'] as const) {
    for (const rule of rules) {
      const config = CONFIGS[rule];
      const beta = config.optimizer === 'adam' ? config.beta2 : 0.9;
      const edges = horizonEdges(beta, dtype);
      const at = [1, 2, 256, 257, 2048, 2049, edges.biasSaturates, edges.powerSubnormal, edges.powerZero];
      const t0 = performance.now();
      const result = await checkLongHorizon(referenceAdapter({ dtype }), config, {
        gradient: [0.3, -2],
        x0: [0.5, -1],
        at,
        horizon: HORIZON,
      });
      const seconds = (performance.now() - t0) / 1000;
      const last = result.points.at(-1)!;
      const met = result.passed && seconds <= HORIZON_TARGET_S;
      ok &&= met;
      body.push([
        `${rule} ${dtype}`,
        result.passed ? 'passes' : `FAILS at t = ${result.failure?.t}`,
        (last.bound / Math.abs(last.expected)).toExponential(1),
        seconds.toFixed(2),
        met ? 'yes' : 'MISSED',
      ]);
    }
  }
  console.log(
    `
Long horizon: the reference in-process, a constant gradient for ${HORIZON.toExponential(0)} steps, compared at the dtype's edges (target: at most ${HORIZON_TARGET_S} s each)
`,
  );
  console.log(table(['rule', 'check', 'bound / |x| at 1e6', 's', 'ok'], body));
  return ok;
}

/** The long-horizon check as a full check runs it: target for all its runs of one reference (issue 19's 1 s). */
const HORIZON_CHECK_TARGET_S = 1;

/**
 * Prints the long-horizon check table: per dtype, the `long-horizon` check of every optimizer
 * with a closed form, as checkConformance runs it (through the guard, replayed alone), on the
 * reference in-process after one warm-up pass. False when a dtype misses the target or a run fails.
 */
async function horizonCheckTable(): Promise<boolean> {
  const rules = optimizerRules.map((r) => r.name).filter(hasLongHorizon);
  const run = async (dtype: Dtype) => {
    const adapter = referenceAdapter({ dtype });
    const t0 = performance.now();
    const findings = [];
    for (const subject of rules) {
      const replay = encodeReplay({ subject, check: LONG_HORIZON_CHECK, seed: SEED, runs: 1 });
      const report = await checkConformance(adapter, { replay });
      findings.push(...report.results.flatMap((r) => r.findings.filter((f) => f.check === LONG_HORIZON_CHECK)));
    }
    return { seconds: (performance.now() - t0) / 1000, findings };
  };
  await run('float64');
  const body: string[][] = [];
  let ok = true;
  for (const dtype of ['float64', 'float32', 'bfloat16'] as const) {
    const { seconds, findings } = await run(dtype);
    const passed = findings.length === rules.length && findings.every((f) => f.status === 'pass');
    const steps = rules.flatMap((r) => longHorizonScenarios(r, dtype)).reduce((n, s) => n + s.options.horizon, 0);
    const met = passed && seconds <= HORIZON_CHECK_TARGET_S;
    ok &&= met;
    body.push([
      dtype,
      rules.join(' '),
      `${steps}`,
      passed ? 'passes' : 'FAILS',
      seconds.toFixed(3),
      met ? 'yes' : 'MISSED',
    ]);
  }
  console.log(
    `
The long-horizon check of a full check (check "${LONG_HORIZON_CHECK}"), the reference in-process, every rule with a closed form (target: at most ${HORIZON_CHECK_TARGET_S} s per dtype)
`,
  );
  console.log(table(['dtype', 'rules', 'steps in all', 'check', 's', 'ok'], body));
  return ok;
}

if (process.argv[2] === '--horizon') {
  if (!(await horizonCheckTable())) process.exitCode = 1;
  if (!(await horizonTable())) process.exitCode = 1;
} else if (process.argv[2] === '--throughput') {
  const rule = process.argv[3] as OptimizerName;
  const dtype = process.argv[4] as Dtype;
  const policy = process.argv[5] as KernelPolicy;
  process.stdout.write(JSON.stringify(await throughput(dtype, CONFIGS[rule], policy)));
} else if (process.argv[2] === '--crossover-child') {
  process.stdout.write(JSON.stringify(crossover(process.argv[3] as OptimizerName, process.argv[4] as Dtype)));
} else if (process.argv[2] === '--crossover') {
  console.log(
    `TypeScript loop vs SIMD kernel, ns per element per step (median of 5 rounds); auto switches at ${SIMD_MIN_SIZE} elements\n`,
  );
  const body: string[][] = [];
  for (const rule of ['sgd', 'adam'] as const) {
    for (const dtype of ['float32', 'float64'] as const) {
      const r = JSON.parse(
        execFileSync(process.execPath, ['--import', 'tsx', self, '--crossover-child', rule, dtype], {
          encoding: 'utf8',
        }),
      ) as Record<string, [number, number]>;
      for (const [size, [ts, simd]] of Object.entries(r))
        body.push([`${rule} ${dtype}`, size, ts.toFixed(2), simd.toFixed(2), (ts / simd).toFixed(2)]);
    }
  }
  console.log(table(['rule', 'size', 'TS ns/el', 'SIMD ns/el', 'TS/SIMD'], body));
} else {
  await main();
}

async function main(): Promise<void> {
  const rows: CheckRow[] = [];
  let missed = false;

  async function timeCheck(
    what: string,
    target: number,
    open: () => Promise<{ adapter: Adapter; close(): Promise<void> }>,
  ): Promise<void> {
    const t0 = performance.now();
    const { adapter, close } = await open();
    let report: ConformanceReport;
    try {
      report = await checkConformance(adapter, { seed: SEED });
    } finally {
      await close();
    }
    const seconds = (performance.now() - t0) / 1000;
    if (seconds > target) missed = true;
    rows.push({ what, seconds, target, report });
    process.stderr.write(`  ${what}: ${seconds.toFixed(1)} s\n`);
  }

  // `--steps`: the step table alone (the full checks take a minute or more); `--isolation`: the isolation table alone.
  if (process.argv[2] === '--isolation') {
    if (!isolationTable()) process.exitCode = 1;
    process.exit();
  }
  if (process.argv[2] !== '--steps') {
    process.stderr.write(`full checks, seed ${SEED}\n`);
    const none = async () => {};
    await timeCheck('reference float64, in-process', IN_PROCESS_TARGET_S, async () => ({
      adapter: referenceAdapter({ dtype: 'float64' }),
      close: none,
    }));
    await timeCheck('reference float32, in-process', IN_PROCESS_TARGET_S, async () => ({
      adapter: referenceAdapter({ dtype: 'float32' }),
      close: none,
    }));
    await timeCheck('examples/tfjs.mjs, in-process', IN_PROCESS_TARGET_S, async () => ({
      adapter: await loadAdapter('examples/tfjs.mjs'),
      close: none,
    }));
    await timeCheck('python3 examples/python/lecture_pure.py, protocol', PROTOCOL_TARGET_S, async () => {
      const spawned = await spawnAdapter('python3 examples/python/lecture_pure.py');
      return { adapter: spawned, close: () => spawned.close() };
    });
    if (spawnSync(TORCH_PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0) {
      await timeCheck(
        `${TORCH_PYTHON} examples/python/pytorch_adapter.py float64, protocol`,
        PYTORCH_TARGET_S,
        async () => {
          const spawned = await spawnAdapter([TORCH_PYTHON, 'examples/python/pytorch_adapter.py', 'float64'], {
            timeoutMs: 60_000,
          });
          return { adapter: spawned, close: () => spawned.close() };
        },
      );
    } else {
      console.log(`SKIPPED the PyTorch row: ${TORCH_PYTHON} cannot import torch (apt-get install -y python3-torch)`);
    }

    const subjects = rows[0]!.report.results.map((r) => r.subject);
    console.log(
      `\nFull check, all optimizers and schedules, default runs, seed ${SEED} (targets per row: in-process <= ${IN_PROCESS_TARGET_S} s, the Python example <= ${PROTOCOL_TARGET_S} s, PyTorch <= ${PYTORCH_TARGET_S} s)\n`,
    );
    console.log(
      table(
        ['adapter', 'seconds', 'target', 'ok'],
        rows.map((r) => [r.what, r.seconds.toFixed(2), `${r.target}`, r.seconds <= r.target ? 'yes' : 'MISSED']),
      ),
    );
    console.log('\nVerdicts (checks per subject)\n');
    console.log(
      table(
        ['subject', ...rows.map((r) => r.what.split(',')[0]!)],
        subjects.map((s) => [
          s,
          ...rows.map((r) => {
            const result = r.report.results.find((x) => x.subject === s);
            return result === undefined ? '-' : `${result.verdict} (${result.findings.length})`;
          }),
        ]),
      ),
    );

    if (!isolationTable()) missed = true;
    if (!(await horizonCheckTable())) missed = true;
    if (!(await horizonTable())) missed = true;
  }

  const load0 = loadavg();
  console.log(
    `\nReference step on ${VECTOR.toExponential(0)} elements, typical hyperparameters, ms per step. Each figure is the median of ${ROUNDS} rounds`,
  );
  console.log(
    '(min..max in brackets), the rounds of the reference and of NumPy interleaved so that both see the same load; each round is a fresh process.',
  );
  console.log(
    "Reference: the median of 60 steps. NumPy running the lecture's code: the median of 20 steps after 5 warm-ups, with glibc kept from returning",
  );
  console.log(
    'the temporaries\' pages (no page fault per step: NumPy at its best; ratios are against this), and with default malloc settings ("plain"). The floor is a memory copy of the',
  );
  console.log(
    'same bytes (median of 30, in the reference rounds). TS loop: the readable TypeScript rule alone, one round.\n',
  );
  const body: string[][] = [];
  const measured: Partial<
    Record<OptimizerName, Partial<Record<Dtype, { ref: number; floor: number; numpy?: NumpyRound[] }>>>
  > = {};
  let numpyMissing: string | undefined;
  const range = (values: number[]) =>
    `${median(values).toFixed(2)} (${Math.min(...values).toFixed(2)}..${Math.max(...values).toFixed(2)})`;
  for (const rule of optimizerRules) {
    for (const dtype of ['float32', 'float64'] as const) {
      const run = (policy: KernelPolicy) =>
        JSON.parse(
          execFileSync(
            process.execPath,
            ['--expose-gc', '--import', 'tsx', self, '--throughput', rule.name, dtype, policy],
            { encoding: 'utf8' },
          ),
        ) as Throughput;
      const refs: Throughput[] = [];
      const numpy: NumpyRound[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        refs.push(run('auto'));
        if (numpyMissing === undefined) {
          const plain = numpyStep(rule.name, dtype, {});
          const tuned = numpyStep(rule.name, dtype, NO_PAGE_FAULTS);
          if (typeof plain === 'string') numpyMissing = plain;
          else if (typeof tuned === 'string') numpyMissing = tuned;
          else numpy.push({ plain, tuned });
        }
      }
      const ts = run('typescript');
      const ref = median(refs.map((r) => r.medianMs));
      const floor = median(refs.map((r) => r.floorMs));
      const bytes = Math.max(...refs.map((r) => r.bytesPerStep));
      // No vector allocated per step. GCs are reported, not judged: scalar garbage may trigger a scavenge.
      if (bytes > ALLOCATION_LIMIT_BYTES || ts.bytesPerStep > ALLOCATION_LIMIT_BYTES) missed = true;
      const byDtype = measured[rule.name] ?? {};
      byDtype[dtype] = { ref, floor, ...(numpy.length === 0 ? {} : { numpy }) };
      measured[rule.name] = byDtype;
      body.push([
        `${rule.name} ${dtype}`,
        `${range(refs.map((r) => r.medianMs))}${refs.every((r) => r.simd) ? '' : ' (TS)'}`,
        ts.medianMs.toFixed(2),
        numpy.length === 0 ? '-' : range(numpy.map((n) => n.tuned)),
        numpy.length === 0 ? '-' : median(numpy.map((n) => n.plain)).toFixed(2),
        floor.toFixed(2),
        numpy.length === 0 ? '-' : `${(median(numpy.map((n) => n.tuned)) / ref).toFixed(1)}x`,
        `${(ref / floor).toFixed(1)}x`,
        `${(ts.medianMs / ref).toFixed(1)}x`,
        `${Math.round(bytes)} / ${Math.round(ts.bytesPerStep)} B`,
        `${refs.reduce((n, r) => n + r.gcs, 0)} / ${ts.gcs}`,
      ]);
    }
  }
  if (numpyMissing !== undefined) console.log(`NumPy: ${numpyMissing}\n`);
  console.log(
    table(
      [
        'rule dtype',
        'reference ms',
        'TS loop ms',
        'NumPy ms',
        'NumPy plain',
        'floor ms',
        'NumPy/ref',
        'ref/floor',
        'TS/ref',
        'heap/step ref / TS',
        'GCs ref / TS',
      ],
      body,
    ),
  );
  console.log(
    `\nreference: the default (auto) loop, the SIMD kernel from ${SIMD_MIN_SIZE} elements; TS loop: the readable TypeScript rule alone.`,
  );
  console.log(`allocation limit: ${ALLOCATION_LIMIT_BYTES} B per step (a per-step vector would be >= ${4 * VECTOR} B)`);

  // Issue 11's targets for the reference Adam step.
  const targets: string[][] = [];
  const target = (what: string, value: number | undefined, shown: string, goal: string, ok: (v: number) => boolean) => {
    if (value === undefined) {
      targets.push([what, '-', goal, 'not measured']);
      return;
    }
    if (!ok(value)) missed = true;
    targets.push([what, shown, goal, ok(value) ? 'yes' : 'MISSED']);
  };
  const a64 = measured.adam?.float64;
  const a32 = measured.adam?.float32;
  const vsNumpy = (m: typeof a64, pick: (n: NumpyRound) => number) =>
    m?.numpy === undefined ? undefined : median(m.numpy.map(pick)) / m.ref;
  const s64 = vsNumpy(a64, (n) => n.tuned);
  const s32 = vsNumpy(a32, (n) => n.tuned);
  target('adam float64: NumPy / reference', s64, `${s64?.toFixed(2)}x`, '>= 3x', (v) => v >= 3);
  const first64 = vsNumpy(a64, (n) => n.plain);
  targets.push([
    'adam float64: NumPy plain malloc / reference',
    first64 === undefined ? '-' : `${first64.toFixed(2)}x`,
    '(shown)',
    '',
  ]);
  const f64 = a64 === undefined ? undefined : a64.ref / a64.floor;
  target('adam float64: reference / copy floor', f64, `${f64?.toFixed(2)}x`, '<= 4x', (v) => v <= 4);
  target('adam float32: NumPy / reference', s32, `${s32?.toFixed(2)}x`, '> 1x', (v) => v > 1);
  const first32 = vsNumpy(a32, (n) => n.plain);
  targets.push([
    'adam float32: NumPy plain malloc / reference',
    first32 === undefined ? '-' : `${first32.toFixed(2)}x`,
    '(shown)',
    '',
  ]);
  targets.push(['adam float32: bit-identical', 'spec/kernels.spec.ts, spec/golden.spec.ts', 'same bits', 'tested']);
  const load1 = loadavg();
  console.log(
    `\nIssue 11 targets (load average ${load0.map((l) => l.toFixed(2)).join(' ')} before, ${load1.map((l) => l.toFixed(2)).join(' ')} after, ${cpus().length} CPUs)\n`,
  );
  console.log(table(['target', 'measured', 'goal', 'ok'], targets));

  if (missed) {
    console.log('\nA target was missed.');
    process.exitCode = 1;
  } else {
    console.log('\nAll targets met.');
  }
}
