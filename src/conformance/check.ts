import { AdapterError } from './adapter-error.js';
import type { Adapter } from './adapter.js';
import {
  loadOptimizerFixtures,
  loadScheduleFixtures,
  type OptimizerFixtureFile,
  type ScheduleFixtureFile,
} from '../fixtures/fixtures.js';
import { lawsFor } from '../laws/index.js';
import type { Subject } from '../laws/law.js';
import { optimizerRules, scheduleRule, scheduleRules } from '../reference/registry.js';
import type {
  ConventionId,
  Conventions,
  Dtype,
  KnownBugId,
  OptimizerName,
  ScheduleConfig,
  ScheduleName,
} from '../reference/types.js';
import { ulpDistance } from '../numerics/ulp.js';
import { UnsupportedValue } from './unsupported.js';
import { shrinkCounterexample } from './counterexample.js';
import { candidateConventionSets, conventionIds, matching, solveInitialAccumulator } from './diagnose.js';
import { knownBugsFor } from './known-bugs.js';
import { type GuardOptions, guardAdapter, type MutationRecord } from './guard.js';
import { explanationModel, type LawOutcome, lawExplained, lawNeedsNonFinite, runLaws } from './laws.js';
import {
  compareRun,
  compareScenario,
  type Mismatch,
  type ScenarioRun,
  scenarioRunOf,
  scenarioScript,
  traceOf,
} from './run.js';
import { runScripts, type Script, type ScriptOutcome, scriptInProgress } from '../laws/script.js';
import { drawnScenarios } from './drawn-scenarios.js';
import { fixtureScenarios, largeVectorScenario, probeScenarios, type Scenario } from './scenarios.js';
import { decodeReplay, encodeReplay, type Replay } from './replay.js';
import { scheduleBound } from './tolerance.js';
import type {
  ConformanceOptions,
  ConformanceReport,
  Counterexample,
  Finding,
  SubjectResult,
  Verdict,
} from './types.js';
import { validateConformanceOptions } from './validate-options.js';
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

/**
 * The most scenarios sent in one batch (one script each, one round trip through a
 * worker): bounds the memory of a batch whatever `--runs` asks for (issue 9).
 */
const SCENARIO_BATCH = 64;

/** The reason of a report in which no subject was checked (the same text in every report and on the console). */
export const NOTHING_CHECKED =
  'nothing was checked: the adapter supports none of the requested optimizers and schedules';

let fixtureCache: { optimizers: OptimizerFixtureFile[]; schedules: ScheduleFixtureFile[] } | undefined;

function fixtures(): { optimizers: OptimizerFixtureFile[]; schedules: ScheduleFixtureFile[] } {
  fixtureCache ??= { optimizers: loadOptimizerFixtures(), schedules: loadScheduleFixtures() };
  return fixtureCache;
}

/**
 * Reads now what every check reads first (the golden fixtures, about 70 ms of
 * parsing): the CLI calls it while an isolated adapter's worker starts, so that the
 * two overlap instead of following each other. Calling it is never needed.
 */
export function prepareConformance(): void {
  fixtures();
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
  /** The verdicts so far: a law may drive another optimizer of the implementation only when that one conforms. */
  verdicts: Map<Subject, Verdict>;
  /** Set when re-running one check (`options.replay`): only that check runs. */
  replay?: Replay;
  /** The length of the large-vector probe, when it runs (`options.largeVector`). */
  largeVector?: number;
}

/**
 * Checks an implementation against the lecture's rules (issue 4) and returns the
 * report: per supported optimizer and schedule a verdict, the conventions it
 * follows, and one finding per check. Never throws because of the adapter: every
 * misbehaviour is an `error` finding and the run goes on with the next check.
 */
export async function checkConformance(adapter: Adapter, options: ConformanceOptions = {}): Promise<ConformanceReport> {
  const started = Date.now();
  validateConformanceOptions(adapter, options);
  const replay = options.replay === undefined ? undefined : decodeReplay(options.replay);
  if (replay !== undefined) {
    options = {
      ...options,
      only: [replay.subject],
      seed: replay.seed,
      runs: replay.runs,
      ...(replay.largeVector === undefined ? {} : { largeVector: replay.largeVector }),
    };
  }
  const seed = options.seed ?? (Date.now() ^ (Math.random() * 0x100000000)) | 0;
  const runs = options.runs ?? 1;
  const accepted = [...(options.accept ?? [])].sort();
  const guardOptions: GuardOptions = {
    stepTimeoutMs: options.stepTimeoutMs ?? CONFORMANCE_DEFAULTS.stepTimeoutMs,
    deadline: started + (options.totalTimeoutMs ?? CONFORMANCE_DEFAULTS.totalTimeoutMs),
  };
  const ctx: Context = {
    adapter,
    guard: guardAdapter(adapter, guardOptions),
    guardOptions,
    seed,
    runs,
    onProgress: options.onProgress,
    verdicts: new Map(),
    ...(replay === undefined ? {} : { replay }),
    ...(options.largeVector === undefined ? {} : { largeVector: options.largeVector }),
  };
  const subjects = allSubjects().filter((s) => options.only === undefined || options.only.includes(s));
  const results: SubjectResult[] = [];
  for (const subject of subjects) {
    await options.beforeSubject?.(subject);
    const t0 = Date.now();
    const result = subject.startsWith('schedule:')
      ? await checkSchedule(ctx, subject.slice('schedule:'.length) as ScheduleName)
      : await checkOptimizer(ctx, subject as OptimizerName);
    for (const finding of result.findings) {
      if (finding.status === 'fail' || finding.status === 'explained')
        finding.replay = replayToken(ctx, subject, finding);
    }
    result.durationMs = Date.now() - t0;
    ctx.verdicts.set(subject, result.verdict);
    results.push(result);
  }
  if (replay !== undefined && !results.some((r) => r.findings.some((f) => f.check === replay.check))) {
    throw new RangeError(
      `options.replay: ${JSON.stringify(replay.check)} is not a check of ${replay.subject} for this adapter (${adapter.dtype}, ${[...adapter.optimizers, ...(adapter.schedules ?? []).map((s) => `schedule:${s}`)].join(', ') || 'nothing'}): replay it against the implementation that printed it`,
    );
  }
  // Nothing checked is not a pass (issue 9): a misconfigured adapter must not pass CI silently.
  const checked = results.some((r) => r.verdict !== 'unsupported');
  const passed =
    checked &&
    results.every(
      (r) =>
        r.verdict === 'conforms' ||
        r.verdict === 'unsupported' ||
        (r.verdict === 'deviates' && r.conventions.every((id) => accepted.includes(id))),
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
export function scenariosFor(rule: OptimizerName, ctx: ScenarioContext): Scenario[] {
  return [...scenarioStream(rule, ctx, scenarioPlan(rule, ctx))];
}

/** What decides an optimizer's scenarios. */
type ScenarioContext = Pick<Context, 'adapter' | 'seed' | 'runs'> & { largeVector?: number };

/** The scenario ids of one optimizer, without building them (the large-vector probe holds millions of numbers). */
function scenarioIds(rule: OptimizerName, ctx: ScenarioContext): string[] {
  const { fixed, drawn } = scenarioPlan(rule, ctx);
  return [
    ...fixed.map((s) => s.id),
    ...Array.from(drawnScenarios(rule, ctx.adapter.dtype, ctx.seed, drawn), (s) => s.id),
    ...(ctx.largeVector === undefined ? [] : ['probe:large-vector']),
  ];
}

/** The fixed scenarios and how many drawn ones follow; the drawn ones are generated as they run (issue 9: memory does not grow with `runs`). */
function scenarioPlan(rule: OptimizerName, ctx: ScenarioContext): { fixed: Scenario[]; drawn: number } {
  const file = fixtures().optimizers.find((f) => f.rule === rule && f.dtype === ctx.adapter.dtype);
  return {
    fixed: [...fixtureScenarios(file?.cases ?? []), ...probeScenarios(rule, ctx.adapter.dtype)],
    drawn: Math.max(1, Math.round(CONFORMANCE_DEFAULTS.randomScenarios * ctx.runs)),
  };
}

function* scenarioStream(
  rule: OptimizerName,
  ctx: ScenarioContext,
  plan: { fixed: Scenario[]; drawn: number },
): Generator<Scenario> {
  yield* plan.fixed;
  yield* drawnScenarios(rule, ctx.adapter.dtype, ctx.seed, plan.drawn);
  if (ctx.largeVector !== undefined) yield largeVectorScenario(rule, ctx.adapter.dtype, ctx.largeVector);
}

/**
 * The check ids `checkConformance` will report for each supported subject, known
 * before running (they depend only on the adapter's dtype, the seed and `runs`):
 * the vitest binding registers one test per id.
 */
export function plannedChecks(
  adapter: Adapter,
  options: Pick<ConformanceOptions, 'only' | 'seed' | 'runs' | 'largeVector'> & { seed: number },
): Map<Subject, string[]> {
  const planned = new Map<Subject, string[]>();
  const ctx = {
    adapter,
    seed: options.seed,
    runs: options.runs ?? 1,
    ...(options.largeVector === undefined ? {} : { largeVector: options.largeVector }),
  };
  for (const subject of allSubjects()) {
    if (options.only !== undefined && !options.only.includes(subject)) continue;
    if (subject.startsWith('schedule:')) {
      const name = subject.slice('schedule:'.length) as ScheduleName;
      if (!(adapter.schedules ?? []).includes(name)) continue;
      planned.set(subject, [
        ...(fixtures().schedules.find((f) => f.schedule === name)?.cases ?? []).map((c) => `fixture:${c.id}`),
        ...lawsFor(subject).map((l) => `law:${l.id}`),
      ]);
    } else if (adapter.optimizers.includes(subject as OptimizerName)) {
      planned.set(subject, [
        ...scenarioIds(subject as OptimizerName, ctx),
        'immutability',
        ...lawsFor(subject).map((l) => `law:${l.id}`),
      ]);
    }
  }
  return planned;
}

async function checkOptimizer(ctx: Context, rule: OptimizerName): Promise<SubjectResult> {
  const subject: Subject = rule;
  if (!ctx.adapter.optimizers.includes(rule)) return { subject, verdict: 'unsupported', conventions: [], findings: [] };
  const dtype = ctx.adapter.dtype;
  const findings: Finding[] = [];

  // (a) fixtures, (c) learning-rate changes and instance independence, (d) probes, and drawn runs.
  const runs: ScenarioRun[] = [];
  const runFindings: Finding[] = [];
  const handedBack: MutationRecord[] = [];
  const replay = ctx.replay;
  const plan = scenarioPlan(rule, ctx);
  const stream = scenarioStream(rule, ctx, plan);
  let index = -1;
  let retainedFailing = 0;
  // Scenarios go in batches that grow 1, 3, 12, 48, then SCENARIO_BATCH at most, each one script (one round trip
  // through a worker): an implementation that fails at the first has made no call a one-at-a-time run would not have.
  // From the second batch on, the next is asked for while this one is judged (the worker and the checker at once).
  let size = 1;
  let stopped = false;
  const take = ():
    | { batch: { scenario: Scenario; index: number }[]; scripts: Script[]; outcomes: Promise<ScriptOutcome[]> }
    | undefined => {
    const batch: { scenario: Scenario; index: number }[] = [];
    while (batch.length < size) {
      const next = stream.next();
      if (next.done === true) break;
      index++;
      if (replay !== undefined && replay.check !== next.value.id && replay.check !== 'immutability') continue;
      batch.push({ scenario: next.value, index });
    }
    if (batch.length === 0) return undefined;
    const ahead = size > 1;
    size = Math.min(SCENARIO_BATCH, Math.max(3, 4 * size));
    const scripts = batch.map(({ scenario }) => scenarioScript(scenario, dtype));
    const outcomes = ctx.guard.runWatched(scripts, { ahead }).catch((error: unknown): ScriptOutcome[] => {
      if (!(error instanceof AdapterError)) throw error;
      // The batch itself failed (the worker ended, a call hung): the scenario that was running meets it.
      const at = Math.min(scriptInProgress(error) ?? 0, batch.length - 1);
      return [
        ...Array.from({ length: at }, (): ScriptOutcome | undefined => undefined),
        { ok: false, error, call: 0 },
      ] as ScriptOutcome[];
    });
    // A batch asked ahead and never read (the run stopped before it) is no unhandled rejection.
    outcomes.catch(() => undefined);
    return { batch, scripts, outcomes };
  };
  let current = take();
  while (current !== undefined && !stopped) {
    const { batch, scripts } = current;
    const outcomes = await current.outcomes;
    // The next batch goes now, unless this one met an adapter error (the run stops there).
    const broken = batch.some((_, k) => {
      const outcome = outcomes[k];
      return outcome === undefined || (!outcome.ok && !(outcome.error instanceof UnsupportedValue));
    });
    current = broken ? undefined : take();
    // Scenarios whose answers the batch's failure lost (they ran before it in the worker): counted with those not run.
    let lost = 0;
    for (const [k, { scenario, index: at }] of batch.entries()) {
      const outcome = outcomes[k];
      if (outcome === undefined) {
        lost++;
        continue;
      }
      if (!outcome.ok) {
        const { error } = outcome;
        if (error instanceof UnsupportedValue) {
          record(ctx, subject, findings, {
            check: scenario.id,
            status: 'skipped',
            message: `${scenario.purpose}: skipped: ${error.message}`,
          });
          continue;
        }
        if (!(error instanceof AdapterError)) throw error;
        record(ctx, subject, findings, { check: scenario.id, status: 'error', message: message(error) });
        // The verdict is `error` now; the remaining runs would only repeat it (and a hang would cost a timeout each).
        const rest = plan.fixed.length + plan.drawn - at - 1 + lost;
        if (rest > 0)
          record(ctx, subject, findings, {
            check: 'skipped',
            status: 'error',
            message: `${rest} remaining check(s) of ${rule} skipped after the adapter error`,
          });
        stopped = true;
        break;
      }
      const { run, mutations } = scenarioRunOf(scenario, scripts[k]!, outcome.result);
      handedBack.push(...mutations);
      const finding = scenarioFinding(run, dtype);
      // Memory bounded whatever --runs asks for (issue 9): the first RETAINED_RUNS runs, and the first RETAINED_RUNS failing ones, are kept for the diagnosis.
      if (runs.length < RETAINED_RUNS || (finding.status !== 'pass' && retainedFailing < RETAINED_RUNS)) {
        runs.push(run);
        runFindings.push(finding);
        if (finding.status !== 'pass') retainedFailing++;
      }
      record(ctx, subject, findings, finding);
    }
  }

  if (findings.length > 0 && runs.length === 0 && findings.every((f) => f.status === 'skipped')) {
    record(ctx, subject, findings, {
      check: 'refused',
      status: 'error',
      message: `the implementation refused every configuration of ${rule} it was given`,
    });
    return { subject, verdict: 'error', conventions: [], findings };
  }
  const immutability = immutabilityFinding(handedBack);
  if (replay === undefined || replay.check === 'immutability') record(ctx, subject, findings, immutability);
  if (findings.some((f) => f.status === 'error')) return { subject, verdict: 'error', conventions: [], findings };

  // (b) the laws, through the same law functions, against the guarded adapter; another
  // optimizer of the implementation takes part in a law only if it conforms (attribution).
  const companions =
    replay?.companions ??
    optimizerRules.map((r) => r.name).filter((name) => name !== rule && ctx.verdicts.get(name) === 'conforms');
  const laws = lawsFor(subject).filter((l) => replay === undefined || replay.check === `law:${l.id}`);
  const outcomes = await runLaws(
    laws,
    ctx.guard,
    subject,
    companions,
    ctx.seed,
    ctx.runs * CONFORMANCE_DEFAULTS.lawEffort,
    (f) => record(ctx, subject, findings, f),
    replay?.path,
  );
  for (const outcome of outcomes) lawCompanions.set(outcome.finding, outcome.companions);
  if (findings.some((f) => f.status === 'error')) return { subject, verdict: 'error', conventions: [], findings };

  // non-finite: a law broken only by an infinite or NaN input is that convention's.
  const broken = outcomes.filter((o) => o.result.status === 'fail');
  const needsNonFinite = new Set<LawOutcome>();
  for (const outcome of broken) if (await lawNeedsNonFinite(outcome, ctx.guard, subject)) needsNonFinite.add(outcome);
  if (
    runFindings.every((f) => f.status !== 'fail') &&
    broken.length === needsNonFinite.size &&
    immutability.status === 'pass'
  ) {
    for (const outcome of broken) explain(outcome.finding, {}, true);
    const nonFinite = runFindings.some((f) => f.status === 'explained') || broken.length > 0;
    return {
      subject,
      verdict: nonFinite ? 'deviates' : 'conforms',
      conventions: nonFinite ? ['non-finite'] : [],
      findings,
    };
  }

  // Diagnosis: a convention set that explains every failing check and law, with nothing else wrong (deviates);
  // else the set that explains most of the rest ("fails; otherwise follows ...") and a known bug for what remains.
  // A replay takes the conventions that explained the check from its token instead of diagnosing anew from one check.
  const diagnosis =
    replay !== undefined
      ? { partial: replay.conventions ?? {} }
      : immutability.status === 'pass'
        ? await diagnose(
            ctx,
            rule,
            runs,
            broken.filter((o) => !needsNonFinite.has(o)),
          )
        : {};
  const conventions = diagnosis.all ?? diagnosis.partial ?? {};
  let nonFinite = false;
  const stillFailing: { run: ScenarioRun; finding: Finding }[] = [];
  runs.forEach((run, j) => {
    const finding = runFindings[j]!;
    if (finding.status === 'pass') return;
    const compared = compareScenario(run, dtype, conventions);
    if (compared.mismatch !== undefined) {
      stillFailing.push({ run, finding });
      return;
    }
    nonFinite ||= compared.nonFinite !== undefined;
    explain(finding, conventions, compared.nonFinite !== undefined);
    const shown = finding.counterexample!;
    const instance = run.instances[Math.max(0, compared.instance)]!;
    if (run.scenario.tile === undefined) shown.trace = traceOf(instance, dtype, conventions, shown.step ?? 1);
  });
  const lawsLeft: LawOutcome[] = [];
  const explains = async (outcome: LawOutcome) =>
    conventionIds(conventions).length > 0 &&
    (await lawExplained(outcome, explanationModel(dtype, subject, outcome.companions, { conventions })));
  for (const outcome of broken) {
    if (diagnosis.all !== undefined && !needsNonFinite.has(outcome)) explain(outcome.finding, conventions, false);
    else if (await explains(outcome)) explain(outcome.finding, conventions, false);
    else if (needsNonFinite.has(outcome)) {
      explain(outcome.finding, {}, true);
      nonFinite = true;
    } else lawsLeft.push(outcome);
  }
  const ids = [...conventionIds(conventions), ...(nonFinite ? (['non-finite'] as const) : [])].sort() as ConventionId[];
  if (
    diagnosis.all !== undefined ||
    (stillFailing.length === 0 && lawsLeft.length === 0 && immutability.status === 'pass')
  ) {
    return { subject, verdict: 'deviates', conventions: ids, findings };
  }

  const failing = [
    ...stillFailing.map((f) => f.finding),
    ...lawsLeft.map((o) => o.finding),
    ...(immutability.status === 'fail' ? [immutability] : []),
  ];
  const bug = await nameBug(ctx, subject, runs, lawsLeft, failing, conventions, immutability.status === 'pass');
  if (bug !== undefined) for (const f of failing) f.bug = bug;

  // fails: shrink the first run still failing to a minimal counterexample (a failing law's is shrunk by checkLaw already).
  const primary = stillFailing[0];
  if (primary !== undefined && primary.run.scenario.tile !== undefined) {
    // A bug that needs a long vector to show is not shrunk: the size is what shows it.
    primary.finding.message += `; not shrunk: it is the ${primary.run.scenario.x0.length}-coordinate vector that shows it`;
  } else if (primary !== undefined) {
    const compared = compareScenario(primary.run, dtype, conventions);
    const instance = primary.run.instances[Math.max(0, compared.instance)]!;
    try {
      const counterexample = await shrinkCounterexample(
        instance,
        compared.mismatch ?? (primary.finding.counterexample as Mismatch),
        {
          create: (config, x0) => ctx.guard.createGuarded(config, x0),
          dtype,
          conventions,
          seed: ctx.seed,
          timeLimitMs: CONFORMANCE_DEFAULTS.shrinkTimeMs,
        },
      );
      primary.finding.counterexample = counterexample;
      const c = counterexample;
      primary.finding.message += `; shrunk to ${c.gradients?.length ?? 0} step(s) of ${c.x0?.length ?? 0} coordinate(s): step ${c.step}, coordinate ${c.coordinate}: expected ${c.expected}, got ${c.actual} (${c.ulp} ulp)`;
    } catch (error) {
      if (!(error instanceof AdapterError)) throw error;
    }
  }
  return { subject, verdict: 'fails', conventions: ids, ...(bug === undefined ? {} : { bug }), findings };
}

/** A scenario run's finding: pass, fail (the first difference beyond the bound), or explained by `non-finite` alone. */
function scenarioFinding(run: ScenarioRun, dtype: Dtype): Finding {
  const { scenario } = run;
  const compared = compareScenario(run, dtype, {});
  const where = (m: Mismatch, instance: number) =>
    `step ${m.step}, coordinate ${m.coordinate}${run.instances.length > 1 ? ` of instance ${instance + 1}` : ''}: expected ${m.expected}, got ${m.actual}`;
  // A trace of a long vector (the large-vector probe) would hold millions of numbers: none.
  const withTrace = (m: Mismatch, instance: number): Counterexample => ({
    ...m,
    config: scenario.config,
    ...(scenario.tile === undefined ? { trace: traceOf(run.instances[instance]!, dtype, {}, m.step) } : {}),
  });
  if (compared.mismatch !== undefined) {
    const m = compared.mismatch;
    return {
      check: scenario.id,
      status: 'fail',
      message: `${scenario.purpose}: ${where(m, compared.instance)} (relative error ${m.relativeError.toPrecision(3)}, ${m.ulp} ulp)`,
      counterexample: withTrace(m, compared.instance),
    };
  }
  if (compared.nonFinite !== undefined) {
    const m = compared.nonFinite;
    const instance = Math.max(
      0,
      run.instances.findIndex((i) => compareRun(i, dtype, {}).nonFinite !== undefined),
    );
    return {
      check: scenario.id,
      status: 'explained',
      conventions: ['non-finite'],
      message: `explained by non-finite: ${scenario.purpose}: from a step where a gradient, parameter or state value is infinite or NaN: ${where(m, instance)}`,
      counterexample: withTrace(m, instance),
    };
  }
  const skipped = compared.unchecked > 0 ? `; ${compared.unchecked} value(s) beyond a finite bound not compared` : '';
  return {
    check: scenario.id,
    status: 'pass',
    message: `${compared.compared} values within the derived bound${skipped}`,
  };
}

function immutabilityFinding(mutations: readonly MutationRecord[]): Finding {
  if (mutations.length === 0)
    return { check: 'immutability', status: 'pass', message: 'no x0 or gradient handed to the adapter was modified' };
  const first = mutations[0]!;
  return {
    check: 'immutability',
    status: 'fail',
    message: `the adapter modified the ${first.operation === 'create' ? 'x0' : 'gradient'} it was given (${mutations.length} time(s)); the first at step ${first.step + 1}, coordinate ${first.coordinate}: ${first.before} became ${first.after}`,
    counterexample: { step: first.step + 1, coordinate: first.coordinate, expected: first.before, actual: first.after },
  };
}

/** Marks a finding explained by `conventions` (and by `non-finite` when `nonFinite`), keeping its message after the explanation. */
/** The conventions that explained a finding, and the optimizers a law finding drove: what its replay token carries. */
const explainedBy = new WeakMap<Finding, Conventions>();
const lawCompanions = new WeakMap<Finding, readonly OptimizerName[]>();

/** The token that re-runs exactly this finding's check ({@link Replay}). */
function replayToken(ctx: Context, subject: Subject, finding: Finding): string {
  const token: Replay = {
    subject,
    check: finding.check,
    seed: ctx.seed,
    runs: ctx.runs,
    ...(finding.check === 'probe:large-vector' && ctx.largeVector !== undefined
      ? { largeVector: ctx.largeVector }
      : {}),
  };
  if (finding.check.startsWith('law:') && finding.counterexample?.path !== undefined)
    token.path = finding.counterexample.path;
  const companions = lawCompanions.get(finding);
  if (companions !== undefined && companions.length > 0) token.companions = [...companions];
  const conventions = explainedBy.get(finding);
  if (conventions !== undefined && conventionIds(conventions).length > 0) token.conventions = conventions;
  return encodeReplay(token);
}

function explain(finding: Finding, conventions: Conventions, nonFinite: boolean): void {
  explainedBy.set(finding, conventions);
  const ids: ConventionId[] = [...conventionIds(conventions), ...(nonFinite ? (['non-finite'] as const) : [])];
  const detail = ids
    .map((id) => (id === 'initial-accumulator' ? `initial-accumulator = ${conventions[id]}` : id))
    .join(' + ');
  finding.status = 'explained';
  finding.conventions = ids;
  finding.message = `explained by ${detail}: ${finding.message.replace(/^explained by [^:]+: /, '')}`;
}

/**
 * The smallest convention set (docs/conventions.md) under which every recorded run
 * matches the reference built with it and every failing law (but those that need an
 * infinity or NaN) fails the same way on that reference (see lawExplained): `all`.
 * Failing that, `partial`: the set that explains the most runs, provided it keeps
 * every run the lecture's rule explains and explains at least half of those it does
 * not; less than that is as likely a bug that happens to coincide with a convention
 * on a few inputs (`vx += rho * dx` is dampened momentum at rho = 0.5) as a
 * convention. The initial accumulator is also solved from the first step of the
 * tiny-gradient probe.
 */
async function diagnose(
  ctx: Context,
  rule: OptimizerName,
  runs: readonly ScenarioRun[],
  laws: readonly LawOutcome[],
): Promise<{ all?: Conventions; partial?: Conventions }> {
  const dtype = ctx.adapter.dtype;
  const tiny = runs.find((r) => r.scenario.id === 'probe:tiny-gradients');
  const solved =
    tiny === undefined
      ? []
      : [solveInitialAccumulator(tiny, false), solveInitialAccumulator(tiny, true)].filter(
          (v): v is number => v !== undefined,
        );
  const spec = matching(runs, dtype, {});
  const failing = spec.filter((ok) => !ok).length;
  let partial: { conventions: Conventions; matched: number } | undefined;
  for (const conventions of candidateConventionSets(rule, solved)) {
    const matched = matching(runs, dtype, conventions);
    const count = matched.filter(Boolean).length;
    if (count === runs.length) {
      let all = true;
      for (const outcome of laws) {
        if (!(await lawExplained(outcome, explanationModel(dtype, rule, outcome.companions, { conventions })))) {
          all = false;
          break;
        }
      }
      if (all) return { all: conventions };
    }
    const keeps = spec.every((ok, j) => !ok || matched[j]);
    const gained = count - (runs.length - failing);
    if (keeps && 2 * gained >= failing && gained > 0 && (partial === undefined || count > partial.matched))
      partial = { conventions, matched: count };
  }
  return partial === undefined ? {} : { partial: partial.conventions };
}

/**
 * The known bug (docs/conventions.md) that explains every check still failing, if one
 * does: for a bug that is a formula, every run matches it (with the conventions that
 * explain the rest) and every failing law fails the same way on it; for the others,
 * the failing checks are its pattern.
 */
async function nameBug(
  ctx: Context,
  subject: Subject,
  runs: readonly ScenarioRun[],
  laws: readonly LawOutcome[],
  failing: readonly Finding[],
  conventions: Conventions,
  unmodified: boolean,
): Promise<KnownBugId | undefined> {
  const dtype = ctx.adapter.dtype;
  for (const bug of knownBugsFor(subject)) {
    if (bug.pattern?.(failing) === true) return bug.id;
    if (!unmodified) continue;
    for (const variant of bug.variants ?? []) {
      if (!matching(runs, dtype, conventions, variant).every(Boolean)) continue;
      let all = true;
      for (const outcome of laws) {
        if (
          !(await lawExplained(
            outcome,
            explanationModel(dtype, subject, outcome.companions, { conventions, bug: variant }),
          ))
        ) {
          all = false;
          break;
        }
      }
      if (all) return bug.id;
    }
  }
  return undefined;
}

async function checkSchedule(ctx: Context, name: ScheduleName): Promise<SubjectResult> {
  const subject: Subject = `schedule:${name}`;
  if (!(ctx.adapter.schedules ?? []).includes(name) || typeof ctx.adapter.schedule !== 'function') {
    return { subject, verdict: 'unsupported', conventions: [], findings: [] };
  }
  const findings: Finding[] = [];
  const file = fixtures().schedules.find((f) => f.schedule === name);
  /** Per fixture case, the adapter's values, for matching a known bug afterwards. */
  const answered: { config: ScheduleConfig; t: readonly number[]; values: Float64Array }[] = [];
  const replay = ctx.replay;
  const cases = (file?.cases ?? []).filter((x) => replay === undefined || replay.check === `fixture:${x.id}`);
  // Every case's table in one batch (one round trip through a worker); a batch stops at an adapter error, and the
  // cases after it go in the next, as each case was checked whatever the one before did.
  const tables: ScriptOutcome[] = [];
  let lost: { at: number; error: AdapterError } | undefined;
  while (tables.length < cases.length && lost === undefined) {
    const scripts: Script[] = cases
      .slice(tables.length)
      .map((c) => ({ calls: [{ op: 'values', config: c.config, t: [...c.t] }] }));
    try {
      tables.push(...(await runScripts(ctx.guard, scripts)));
    } catch (error) {
      if (!(error instanceof AdapterError)) throw error;
      // The batch itself failed (the worker ended, a call hung): the case that was running meets it, and the rest are not checked.
      lost = { at: tables.length + Math.min(scriptInProgress(error) ?? 0, scripts.length - 1), error };
    }
  }
  for (const [j, c] of cases.entries()) {
    const check = `fixture:${c.id}`;
    if (lost !== undefined && j >= tables.length) {
      if (j !== lost.at) continue;
      record(ctx, subject, findings, { check, status: 'error', message: message(lost.error) });
      const rest = cases.length - tables.length - 1;
      if (rest > 0)
        record(ctx, subject, findings, {
          check: 'skipped',
          status: 'error',
          message: `${rest} other fixture check(s) of ${subject} not run: the adapter's worker ended`,
        });
      continue;
    }
    const outcome = tables[j]!;
    const failure = outcome.ok ? outcome.result.failures?.[0] : { error: outcome.error };
    if (failure !== undefined) {
      if (failure.error instanceof UnsupportedValue) {
        record(ctx, subject, findings, { check, status: 'skipped', message: `skipped: ${failure.error.message}` });
        continue;
      }
      record(ctx, subject, findings, { check, status: 'error', message: message(failure.error) });
      continue;
    }
    const values = (outcome as Extract<ScriptOutcome, { ok: true }>).result.xs[0]!;
    answered.push({ config: c.config, t: c.t, values });
    const k = c.t.findIndex(
      (t, i) => !(Math.abs(values[i]! - c.values[i]!) <= scheduleBound(c.config, ctx.adapter.dtype, t, c.values[i]!)),
    );
    if (k < 0) {
      record(ctx, subject, findings, {
        check,
        status: 'pass',
        message: `${c.t.length} values within the derived bound`,
      });
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
    record(ctx, subject, findings, {
      check,
      status: 'fail',
      message: `first wrong at t = ${t} (t counted from 0): expected ${expected}, got ${actual}`,
      counterexample,
    });
  }
  let outcomes: LawOutcome[] = [];
  if (!findings.some((f) => f.status === 'error')) {
    const laws = lawsFor(subject).filter((l) => replay === undefined || replay.check === `law:${l.id}`);
    outcomes = await runLaws(
      laws,
      ctx.guard,
      subject,
      [],
      ctx.seed,
      ctx.runs * CONFORMANCE_DEFAULTS.lawEffort,
      (f) => record(ctx, subject, findings, f),
      replay?.path,
    );
  }
  if (findings.some((f) => f.status === 'error')) return { subject, verdict: 'error', conventions: [], findings };
  const failing = findings.filter((f) => f.status === 'fail');
  if (failing.length === 0) return { subject, verdict: 'conforms', conventions: [], findings };
  const bug = await scheduleBug(
    ctx,
    subject,
    answered,
    outcomes.filter((o) => o.result.status === 'fail'),
    failing,
  );
  if (bug !== undefined) for (const f of failing) f.bug = bug;
  return { subject, verdict: 'fails', conventions: [], ...(bug === undefined ? {} : { bug }), findings };
}

/**
 * A schedule's known bug: `schedule-one-early` when every fixture value at t is the
 * lecture's value at t + 1 (within the same bound) and every failing law fails the
 * same way on the reference shifted by one; else a bug whose pattern the failures are.
 */
async function scheduleBug(
  ctx: Context,
  subject: Subject,
  answered: readonly { config: ScheduleConfig; t: readonly number[]; values: Float64Array }[],
  laws: readonly LawOutcome[],
  failing: readonly Finding[],
): Promise<KnownBugId | undefined> {
  const early = answered.every(({ config, t, values }) => {
    const exact = scheduleRule(config.schedule).create(config);
    return t.every((time, i) => {
      const expected = exact(time + 1);
      return Math.abs(values[i]! - expected) <= scheduleBound(config, ctx.adapter.dtype, time + 1, expected);
    });
  });
  if (early) {
    let all = true;
    for (const outcome of laws) {
      if (!(await lawExplained(outcome, explanationModel(ctx.adapter.dtype, subject, [], { scheduleShift: 1 })))) {
        all = false;
        break;
      }
    }
    if (all) return 'schedule-one-early';
  }
  return knownBugsFor(subject).find((b) => b.pattern?.(failing) === true)?.id;
}
