import { AdapterError } from '../adapter-error.js';
import type { Adapter } from '../adapter.js';
import { requireDtype } from '../dtype.js';
import { loadOptimizerFixtures, loadScheduleFixtures, type OptimizerFixtureFile, type ScheduleFixtureFile } from '../fixtures.js';
import { lawsFor } from '../laws/index.js';
import type { Subject } from '../laws/law.js';
import { optimizerRules, scheduleRules } from '../registry.js';
import type { ConventionId, Conventions, OptimizerConfig, OptimizerName, ScheduleName } from '../types.js';
import { ulpDistance } from '../ulp.js';
import { shrinkCounterexample } from './counterexample.js';
import { candidateConventionSets, conventionIds, matchesAll, solveInitialAccumulator } from './diagnose.js';
import { type GuardedStepper, type GuardOptions, guardAdapter, type MutationRecord, scheduleValues } from './guard.js';
import { type LawOutcome, lawExplained, runLaws } from './laws.js';
import { compareScenario, type Mismatch, runScenario, type ScenarioRun } from './run.js';
import { drawnScenarios } from './drawn-scenarios.js';
import { fixtureScenarios, probeScenarios, type Scenario } from './scenarios.js';
import { scheduleBound } from './tolerance.js';
import type { ConformanceOptions, ConformanceReport, Counterexample, Finding, SubjectResult, Verdict } from './types.js';
import { optimspecVersion } from './version.js';

/** Defaults sized so that a full in-process check stays within issue 4's 10 seconds. */
export const CONFORMANCE_DEFAULTS = {
  stepTimeoutMs: 10_000,
  totalTimeoutMs: 300_000,
  /** Drawn scenarios per optimizer at `runs = 1`. */
  randomScenarios: 4,
  /** Budget for fast-check's shrinking of one counterexample. */
  shrinkTimeMs: 3_000,
  /** Multiplies each law's own run count at `runs = 1` (the laws' own counts are sized for the reference in-process). */
  lawEffort: 0.5,
} as const;

/**
 * Scenario runs kept per optimizer for the diagnosis (and as many failing ones):
 * far more than the default runs draw (about 30), and a bound on memory when
 * --runs asks for millions (a run is about 10 KB; unbounded, 15 s of --runs 1e5
 * grew by 860 MB).
 */
const RETAINED_RUNS = 4096;

/** The reason of a report in which no subject was checked (the same text in every report and on the console). */
export const NOTHING_CHECKED = 'nothing was checked: the adapter supports none of the requested optimizers and schedules';

let fixtureCache: { optimizers: OptimizerFixtureFile[]; schedules: ScheduleFixtureFile[] } | undefined;

function fixtures(): { optimizers: OptimizerFixtureFile[]; schedules: ScheduleFixtureFile[] } {
  fixtureCache ??= { optimizers: loadOptimizerFixtures(), schedules: loadScheduleFixtures() };
  return fixtureCache;
}

/** Every subject, in the registry's (the lecture's) order. */
export function allSubjects(): Subject[] {
  return [...optimizerRules.map((r) => r.name), ...scheduleRules.map((r) => `schedule:${r.name}` as const)];
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

interface Context {
  adapter: Adapter;
  guard: ReturnType<typeof guardAdapter>;
  guardOptions: GuardOptions;
  seed: number;
  runs: number;
  onProgress: NonNullable<ConformanceOptions['onProgress']> | undefined;
  /** Conventions diagnosed for the optimizers checked so far, for laws that drive two optimizers. */
  diagnosed: Map<OptimizerName, Conventions>;
}

/**
 * Checks an implementation against the lecture's rules (issue 4) and returns the
 * report: per supported optimizer and schedule a verdict, the conventions it
 * follows, and one finding per check. Never throws because of the adapter: every
 * misbehaviour is an `error` finding and the run goes on with the next check.
 */
export async function checkConformance(adapter: Adapter, options: ConformanceOptions = {}): Promise<ConformanceReport> {
  const started = Date.now();
  requireDtype('adapter.dtype', adapter?.dtype);
  if (!Array.isArray(adapter.optimizers)) throw new TypeError(`adapter.optimizers must be an array of optimizer names, got ${typeof adapter.optimizers}`);
  const seed = options.seed ?? ((Date.now() ^ (Math.random() * 0x100000000)) | 0);
  const runs = options.runs ?? 1;
  if (!(runs > 0 && Number.isFinite(runs))) throw new RangeError(`options.runs must be a positive number, got ${runs}`);
  const known = allSubjects() as string[];
  for (const subject of options.only ?? []) {
    if (!known.includes(subject)) throw new RangeError(`options.only: unknown subject ${JSON.stringify(subject)} (one of ${known.join(', ')})`);
  }
  const ids: readonly string[] = [...new Set(optimizerRules.flatMap((r) => r.conventions))];
  for (const id of options.accept ?? []) {
    if (!ids.includes(id)) throw new RangeError(`options.accept: unknown convention id ${JSON.stringify(id)} (one of ${ids.join(', ')})`);
  }
  const accepted = [...(options.accept ?? [])].sort();
  const guardOptions: GuardOptions = {
    stepTimeoutMs: options.stepTimeoutMs ?? CONFORMANCE_DEFAULTS.stepTimeoutMs,
    deadline: started + (options.totalTimeoutMs ?? CONFORMANCE_DEFAULTS.totalTimeoutMs),
  };
  const ctx: Context = { adapter, guard: guardAdapter(adapter, guardOptions), guardOptions, seed, runs, onProgress: options.onProgress, diagnosed: new Map() };
  const subjects = allSubjects().filter((s) => options.only === undefined || options.only.includes(s));
  const results: SubjectResult[] = [];
  for (const subject of subjects) {
    await options.beforeSubject?.(subject);
    const t0 = Date.now();
    const result = subject.startsWith('schedule:')
      ? await checkSchedule(ctx, subject.slice('schedule:'.length) as ScheduleName)
      : await checkOptimizer(ctx, subject as OptimizerName);
    result.durationMs = Date.now() - t0;
    results.push(result);
  }
  // Nothing checked is not a pass (issue 9): a misconfigured adapter must not pass CI silently.
  const checked = results.some((r) => r.verdict !== 'unsupported');
  const passed = checked && results.every(
    (r) => r.verdict === 'conforms' || r.verdict === 'unsupported' || (r.verdict === 'deviates' && r.conventions.every((id) => accepted.includes(id))),
  );
  const first = fixtures().optimizers[0];
  const reportOptions: ConformanceReport['options'] = { runs, seed, accepted };
  if (options.only !== undefined) reportOptions.only = [...options.only];
  return {
    optimspec: { version: optimspecVersion() },
    adapter: { name: String(adapter.name), dtype: adapter.dtype },
    fixtures: { provenance: first === undefined ? {} : { ...first.provenance } },
    options: reportOptions,
    results,
    passed,
    ...(checked ? {} : { reason: NOTHING_CHECKED }),
    durationMs: Date.now() - started,
  };
}

function record(ctx: Context, subject: Subject, findings: Finding[], finding: Finding): void {
  findings.push(finding);
  ctx.onProgress?.({ subject, check: finding.check, status: finding.status });
}

/** The scenarios of one optimizer: golden fixtures of the adapter's dtype, probes, drawn runs. */
export function scenariosFor(rule: OptimizerName, ctx: Pick<Context, 'adapter' | 'seed' | 'runs'>): Scenario[] {
  const { fixed, drawn } = scenarioPlan(rule, ctx);
  return [...fixed, ...drawnScenarios(rule, ctx.adapter.dtype, ctx.seed, drawn)];
}

/** The fixed scenarios and how many drawn ones follow; the drawn ones are generated as they run (issue 9: memory does not grow with `runs`). */
function scenarioPlan(rule: OptimizerName, ctx: Pick<Context, 'adapter' | 'seed' | 'runs'>): { fixed: Scenario[]; drawn: number } {
  const file = fixtures().optimizers.find((f) => f.rule === rule && f.dtype === ctx.adapter.dtype);
  return {
    fixed: [...fixtureScenarios(file?.cases ?? []), ...probeScenarios(rule, ctx.adapter.dtype)],
    drawn: Math.max(1, Math.round(CONFORMANCE_DEFAULTS.randomScenarios * ctx.runs)),
  };
}

function* scenarioStream(rule: OptimizerName, ctx: Context, plan: { fixed: Scenario[]; drawn: number }): Generator<Scenario> {
  yield* plan.fixed;
  yield* drawnScenarios(rule, ctx.adapter.dtype, ctx.seed, plan.drawn);
}

/**
 * The check ids `checkConformance` will report for each supported subject, known
 * before running (they depend only on the adapter's dtype, the seed and `runs`):
 * the vitest binding registers one test per id.
 */
export function plannedChecks(adapter: Adapter, options: Pick<ConformanceOptions, 'only' | 'seed' | 'runs'> & { seed: number }): Map<Subject, string[]> {
  const planned = new Map<Subject, string[]>();
  const ctx = { adapter, seed: options.seed, runs: options.runs ?? 1 };
  for (const subject of allSubjects()) {
    if (options.only !== undefined && !options.only.includes(subject)) continue;
    if (subject.startsWith('schedule:')) {
      const name = subject.slice('schedule:'.length) as ScheduleName;
      if (!(adapter.schedules ?? []).includes(name)) continue;
      planned.set(subject, [...(fixtures().schedules.find((f) => f.schedule === name)?.cases ?? []).map((c) => `fixture:${c.id}`), ...lawsFor(subject).map((l) => `law:${l.id}`)]);
    } else if (adapter.optimizers.includes(subject as OptimizerName)) {
      planned.set(subject, [...scenariosFor(subject as OptimizerName, ctx).map((s) => s.id), 'immutability', ...lawsFor(subject).map((l) => `law:${l.id}`)]);
    }
  }
  return planned;
}

async function checkOptimizer(ctx: Context, rule: OptimizerName): Promise<SubjectResult> {
  const subject: Subject = rule;
  if (!ctx.adapter.optimizers.includes(rule)) return { subject, verdict: 'unsupported', conventions: [], findings: [] };
  const dtype = ctx.adapter.dtype;
  const findings: Finding[] = [];
  const steppers: GuardedStepper[] = [];
  const create = async (config: OptimizerConfig, x0: number[]): Promise<GuardedStepper> => {
    const stepper = await ctx.guard.createGuarded(config, x0);
    steppers.push(stepper);
    return stepper;
  };

  // (a) fixtures, (c) learning-rate changes and instance independence, (d) probes, and drawn runs.
  const runs: ScenarioRun[] = [];
  const failing: { run: ScenarioRun; finding: Finding; instance: number; mismatch: Mismatch }[] = [];
  const handedBack: MutationRecord[] = [];
  const plan = scenarioPlan(rule, ctx);
  let index = -1;
  for (const scenario of scenarioStream(rule, ctx, plan)) {
    index++;
    let run: ScenarioRun;
    try {
      run = await runScenario(create, scenario, dtype);
    } catch (error) {
      if (!(error instanceof AdapterError)) throw error;
      record(ctx, subject, findings, { check: scenario.id, status: 'error', message: message(error) });
      // The verdict is `error` now; the remaining runs would only repeat it (and a hang would cost a timeout each).
      const rest = plan.fixed.length + plan.drawn - index - 1;
      if (rest > 0) record(ctx, subject, findings, { check: 'skipped', status: 'error', message: `${rest} remaining check(s) of ${rule} skipped after the adapter error` });
      break;
    }
    // Mutations are read as each scenario ends, so that instances are not kept for the whole run.
    for (const stepper of steppers.splice(0)) handedBack.push(...stepper.mutations);
    const compared = compareScenario(run, dtype, {});
    // Memory bounded whatever --runs asks for (issue 9): the first RETAINED_RUNS runs, and the first RETAINED_RUNS failing ones, are kept for the diagnosis.
    if (runs.length < RETAINED_RUNS || (compared.mismatch !== undefined && failing.length < RETAINED_RUNS)) runs.push(run);
    if (compared.mismatch === undefined) {
      const skipped = compared.unchecked > 0 ? `; ${compared.unchecked} value(s) beyond a finite bound not compared` : '';
      record(ctx, subject, findings, { check: scenario.id, status: 'pass', message: `${compared.compared} values within the derived bound${skipped}` });
    } else {
      const m = compared.mismatch;
      const finding: Finding = {
        check: scenario.id,
        status: 'fail',
        message: `${scenario.purpose}: step ${m.step}, coordinate ${m.coordinate}${run.instances.length > 1 ? ` of instance ${compared.instance + 1}` : ''}: expected ${m.expected}, got ${m.actual} (relative error ${m.relativeError.toPrecision(3)}, ${m.ulp} ulp)`,
        counterexample: { ...m, config: scenario.config },
      };
      if (failing.length < RETAINED_RUNS) failing.push({ run, finding, instance: compared.instance, mismatch: m });
      record(ctx, subject, findings, finding);
    }
  }

  const mutations: MutationRecord[] = [...handedBack, ...steppers.flatMap((s) => s.mutations)];
  const immutability: Finding =
    mutations.length === 0
      ? { check: 'immutability', status: 'pass', message: 'no x0 or gradient handed to the adapter was modified' }
      : {
          check: 'immutability',
          status: 'fail',
          message: `the adapter modified the ${mutations[0]!.operation === 'create' ? 'x0' : 'gradient'} it was given (${mutations.length} time(s)); the first at step ${mutations[0]!.step + 1}, coordinate ${mutations[0]!.coordinate}: ${mutations[0]!.before} became ${mutations[0]!.after}`,
          counterexample: { step: mutations[0]!.step + 1, coordinate: mutations[0]!.coordinate, expected: mutations[0]!.before, actual: mutations[0]!.after },
        };
  record(ctx, subject, findings, immutability);
  if (findings.some((f) => f.status === 'error')) return { subject, verdict: 'error', conventions: [], findings };

  // (b) the laws of issue 3, through the same law functions, against the guarded adapter.
  const outcomes = await runLaws(lawsFor(subject), ctx.guard, ctx.seed, ctx.runs * CONFORMANCE_DEFAULTS.lawEffort, (f) => record(ctx, subject, findings, f));
  if (findings.some((f) => f.status === 'error')) return { subject, verdict: 'error', conventions: [], findings };
  const brokenLaws = outcomes.filter((o) => o.result.status === 'fail');
  if (failing.length === 0 && brokenLaws.length === 0 && immutability.status === 'pass') return { subject, verdict: 'conforms', conventions: [], findings };

  // Diagnosis: a convention set that explains every failing check and law, with nothing else wrong.
  const explain = (conventions: Conventions, which: readonly { finding: Finding }[]): ConventionId[] => {
    const ids = conventionIds(conventions);
    const detail = ids.map((id) => (id === 'initial-accumulator' ? `initial-accumulator = ${conventions[id]}` : id)).join(' + ');
    for (const { finding } of which) {
      finding.status = 'explained';
      finding.conventions = ids;
      finding.message = `explained by ${detail}: ${finding.message}`;
    }
    return ids;
  };
  let numericallyExplained = false;
  if (immutability.status === 'pass') {
    const diagnosis = await diagnose(rule, runs, brokenLaws, dtype, ctx.diagnosed);
    if (diagnosis.all !== undefined) {
      ctx.diagnosed.set(rule, diagnosis.all);
      return { subject, verdict: 'deviates', conventions: explain(diagnosis.all, [...failing, ...brokenLaws]), findings };
    }
    // Every run follows a convention but some law is broken beyond it: those laws carry the counterexample.
    if (diagnosis.runsOnly !== undefined && failing.length > 0) {
      const perRule = new Map([...ctx.diagnosed, [rule, diagnosis.runsOnly]]);
      const lawsItExplains: LawOutcome[] = [];
      for (const outcome of brokenLaws) if (await lawExplained(outcome, dtype, perRule)) lawsItExplains.push(outcome);
      explain(diagnosis.runsOnly, [...failing, ...lawsItExplains]);
      numericallyExplained = true;
    }
  }

  // fails: shrink the first failing run to a minimal counterexample (a failing law's is shrunk by checkLaw already).
  const primary = numericallyExplained ? undefined : failing[0];
  if (primary !== undefined) {
    const instance = primary.run.instances[primary.instance]!;
    try {
      const counterexample = await shrinkCounterexample(instance, primary.mismatch, {
        create: (config, x0) => ctx.guard.createGuarded(config, x0),
        dtype,
        seed: ctx.seed,
        timeLimitMs: CONFORMANCE_DEFAULTS.shrinkTimeMs,
      });
      primary.finding.counterexample = counterexample;
      const c = counterexample;
      primary.finding.message += `; shrunk to ${c.gradients?.length ?? 0} step(s) of ${c.x0?.length ?? 0} coordinate(s): step ${c.step}, coordinate ${c.coordinate}: expected ${c.expected}, got ${c.actual} (${c.ulp} ulp)`;
    } catch (error) {
      if (!(error instanceof AdapterError)) throw error;
    }
  }
  return { subject, verdict: 'fails', conventions: [], findings };
}

/**
 * The smallest convention set (conventions.md) under which every recorded run
 * matches the reference built with it and every failing law fails the same way
 * on that reference (see lawExplained): `all`. Failing that, the smallest set
 * that explains the runs alone: `runsOnly`. The initial accumulator is also
 * solved from the first step of the tiny-gradient probe.
 */
async function diagnose(
  rule: OptimizerName,
  runs: readonly ScenarioRun[],
  brokenLaws: readonly LawOutcome[],
  dtype: 'float32' | 'float64',
  others: ReadonlyMap<OptimizerName, Conventions>,
): Promise<{ all?: Conventions; runsOnly?: Conventions }> {
  const tiny = runs.find((r) => r.scenario.id === 'probe:tiny-gradients');
  const solved = tiny === undefined ? [] : [solveInitialAccumulator(tiny, false), solveInitialAccumulator(tiny, true)].filter((v): v is number => v !== undefined);
  let runsOnly: Conventions | undefined;
  for (const conventions of candidateConventionSets(rule, solved)) {
    if (!matchesAll(runs, dtype, conventions)) continue;
    runsOnly ??= conventions;
    let all = true;
    for (const outcome of brokenLaws) {
      if (!(await lawExplained(outcome, dtype, new Map([...others, [rule, conventions]])))) {
        all = false;
        break;
      }
    }
    if (all) return { all: conventions };
  }
  return runsOnly === undefined ? {} : { runsOnly };
}

async function checkSchedule(ctx: Context, name: ScheduleName): Promise<SubjectResult> {
  const subject: Subject = `schedule:${name}`;
  if (!(ctx.adapter.schedules ?? []).includes(name) || typeof ctx.adapter.schedule !== 'function') {
    return { subject, verdict: 'unsupported', conventions: [], findings: [] };
  }
  const findings: Finding[] = [];
  const file = fixtures().schedules.find((f) => f.schedule === name);
  for (const c of file?.cases ?? []) {
    const check = `fixture:${c.id}`;
    let values: Float64Array;
    try {
      values = await scheduleValues(ctx.adapter, c.config, c.t, ctx.guardOptions);
    } catch (error) {
      record(ctx, subject, findings, { check, status: 'error', message: message(error) });
      continue;
    }
    const k = c.t.findIndex((t, i) => !(Math.abs(values[i]! - c.values[i]!) <= scheduleBound(c.config, ctx.adapter.dtype, t, c.values[i]!)));
    if (k < 0) {
      record(ctx, subject, findings, { check, status: 'pass', message: `${c.t.length} values within the derived bound` });
      continue;
    }
    const t = c.t[k]!;
    const expected = c.values[k]!;
    const actual = values[k]!;
    const counterexample: Counterexample = {
      config: c.config,
      step: t,
      expected,
      actual,
      relativeError: Math.abs(actual - expected) / Math.abs(expected),
      ulp: ulpDistance(actual, expected, 'float64'),
      tolerance: `|actual - expected| <= ${scheduleBound(c.config, ctx.adapter.dtype, t, expected).toPrecision(3)} (src/conformance/tolerance.ts scheduleBound)`,
    };
    record(ctx, subject, findings, { check, status: 'fail', message: `first wrong at t = ${t} (t counted from 0): expected ${expected}, got ${actual}`, counterexample });
  }
  if (!findings.some((f) => f.status === 'error')) {
    await runLaws(lawsFor(subject), ctx.guard, ctx.seed, ctx.runs * CONFORMANCE_DEFAULTS.lawEffort, (f) => record(ctx, subject, findings, f));
  }
  const verdict: Verdict = findings.some((f) => f.status === 'error') ? 'error' : findings.some((f) => f.status === 'fail') ? 'fails' : 'conforms';
  return { subject, verdict, conventions: [] as ConventionId[], findings };
}
