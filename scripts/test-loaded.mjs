// `npm run test:loaded`: the proof that the suite and the verdicts do not depend on a busy
// machine (issue 16). It checks three subjects with `optimspec check --json` on the idle
// machine, then starts busy loops that occupy every core four times over, checks them again
// and compares (a verdict that changes with load is a failure), runs exactly `npm test`
// under that load, and prints its wall time and the load average. The busy loops are
// stopped however the run ends (they also end by themselves once this script is gone).
// Exits with npm test's status, or 1 if a verdict changed. Usage: node scripts/test-loaded.mjs
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const cores = availableParallelism();
const BUSY_PER_CORE = 4;
const scratch = mkdtempSync(join(tmpdir(), 'optimspec-loaded-'));

/**
 * The subjects and what their verdicts must be, idle and loaded alike. The reference
 * conforms by definition; TF.js's verdicts are the ones README.md documents (SGD,
 * Momentum, Adam conform; Nesterov deviates by lr-placement, AdaGrad by
 * epsilon-inside-sqrt + initial-accumulator, RMSProp by epsilon-inside-sqrt; no
 * schedules); the NumPy example must conform wherever it is checked (.ci/run).
 */
const SUBJECTS = [
  {
    name: 'the reference (spec/cli-adapters/reference64.ts)',
    args: ['spec/cli-adapters/reference64.ts'],
    expected: () => 'conforms',
  },
  {
    name: 'TF.js (examples/tfjs.mjs)',
    args: ['examples/tfjs.mjs'],
    expected: (subject) =>
      ({
        sgd: 'conforms',
        momentum: 'conforms',
        nesterov: 'deviates [lr-placement]',
        adagrad: 'deviates [epsilon-inside-sqrt, initial-accumulator]',
        rmsprop: 'deviates [epsilon-inside-sqrt]',
        adam: 'conforms',
      })[subject] ?? 'unsupported',
  },
  {
    name: 'the pure-Python NumPy example (examples/python/lecture_numpy.py)',
    args: ['--exec', 'python3 examples/python/lecture_numpy.py'],
    expected: () => 'conforms',
    needs: () =>
      spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0
        ? undefined
        : 'python3 with NumPy is not available here',
  },
];

/** Every subject's verdict (with its conventions), or the reason the check gave no report. */
function check(subject, label) {
  const json = join(scratch, `${label}.json`);
  rmSync(json, { force: true });
  const started = process.hrtime.bigint();
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'spec/cli-entry.mts', 'check', ...subject.args, '--seed', '16', '--quiet', '--json', json],
    { cwd: root, encoding: 'utf8' },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  let report;
  try {
    report = JSON.parse(readFileSync(json, 'utf8'));
  } catch {
    return { seconds, failure: `no report (exit ${run.status}): ${run.stderr.trim()}` };
  }
  const verdicts = new Map(
    report.results.map((r) => [
      r.subject,
      `${r.verdict}${r.conventions.length > 0 ? ` [${r.conventions.join(', ')}]` : ''}`,
    ]),
  );
  return { seconds, verdicts };
}

/** The differences between two checks of one subject, and from its expected verdicts. */
function compare(subject, idle, loaded) {
  const problems = [];
  for (const [label, result] of [
    ['idle', idle],
    ['loaded', loaded],
  ]) {
    if (result.failure !== undefined) {
      problems.push(`${label}: ${result.failure}`);
      continue;
    }
    for (const [name, verdict] of result.verdicts)
      if (verdict !== subject.expected(name))
        problems.push(`${label}: ${name} ${verdict}, expected ${subject.expected(name)}`);
  }
  if (idle.verdicts !== undefined && loaded.verdicts !== undefined)
    for (const [name, verdict] of idle.verdicts)
      if (loaded.verdicts.get(name) !== verdict)
        problems.push(`${name}: ${verdict} idle, ${loaded.verdicts.get(name)} under load`);
  return problems;
}

const busy = [];
/** Stops the busy loops (idempotent); SIGKILL, since they never look at signals. */
function unload() {
  for (const child of busy.splice(0)) child.kill('SIGKILL');
}
process.on('exit', unload);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'])
  process.on(signal, () => {
    unload();
    process.exit(128 + { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 }[signal]);
  });

function load() {
  // A loop that spins, and every few milliseconds ends itself if this script is gone (its parent changed).
  const source = `const parent = ${process.pid}; for (;;) { for (let i = 0; i < 1e6; i++); if (process.ppid !== parent) process.exit(0); }`;
  for (let i = 0; i < BUSY_PER_CORE * cores; i++)
    busy.push(spawn(process.execPath, ['-e', source], { stdio: 'ignore' }));
}

const run = [];
for (const subject of SUBJECTS) {
  const missing = subject.needs?.();
  if (missing !== undefined) {
    console.log(`SKIPPED ${subject.name}: ${missing}`);
    continue;
  }
  run.push(subject);
}

console.log(`== idle: optimspec check --json of ${run.length} subjects`);
const idle = run.map((subject, i) => {
  const result = check(subject, `idle-${i}`);
  console.log(`${subject.name}: ${result.seconds.toFixed(1)} s`);
  return result;
});

load();
console.log(`\n== under load: ${busy.length} busy loops on ${cores} cores (${BUSY_PER_CORE} per core)`);
const problems = [];
run.forEach((subject, i) => {
  const loaded = check(subject, `loaded-${i}`);
  const found = compare(subject, idle[i], loaded);
  console.log(`${subject.name}: ${loaded.seconds.toFixed(1)} s, ${found.length === 0 ? 'same verdicts' : 'DIFFERENT'}`);
  for (const problem of found) problems.push(`${subject.name}: ${problem}`);
});

console.log('\n== npm test under load');
let highest = 0;
const sampler = setInterval(() => {
  highest = Math.max(highest, loadavg()[0]);
}, 5000);
const started = process.hrtime.bigint();
const status = await new Promise((resolve) => {
  const test = spawn('npm', ['test'], { cwd: root, stdio: 'inherit' });
  test.on('close', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
});
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
clearInterval(sampler);
const [one, five, fifteen] = loadavg();
highest = Math.max(highest, one);
unload();
rmSync(scratch, { recursive: true, force: true });

console.log(
  `\nnpm test under load: exit ${status}, ${seconds.toFixed(1)} s of wall time with ${BUSY_PER_CORE * cores} busy loops on ${cores} cores;` +
    ` load average ${one.toFixed(2)}, ${five.toFixed(2)}, ${fifteen.toFixed(2)} at the end (1-minute average up to ${highest.toFixed(2)})`,
);
if (problems.length > 0)
  console.log(`verdicts that depend on load or differ from the expected ones:\n  ${problems.join('\n  ')}`);
else console.log(`verdicts: the same idle and under load for ${run.length} subjects, as expected`);
process.exitCode = status !== 0 ? status : problems.length > 0 ? 1 : 0;
