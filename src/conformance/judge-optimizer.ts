import type { ConventionId, Conventions, OptimizerName } from '../reference/index.js';
import { conventionIds, type Diagnosis, diagnose } from './diagnose.js';
import { explained } from './explained.js';
import type { GuardedAdapter } from './guard.js';
import { everyLawExplained, type LawOutcome, lawNeedsNonFinite } from './laws.js';
import type { Replay } from './replay.js';
import { compareScenario, traceOf } from './run.js';
import type { RetainedRun } from './run-scenarios.js';
import type { Finding } from './types.js';
import { type Judged, judgedDtype } from './mixed-precision.js';

/** The evidence on an optimizer that made no error: its retained runs, the immutability finding, the laws. */
export interface OptimizerEvidence {
  dtype: Judged;
  rule: OptimizerName;
  /** The implementation, for replaying a law's counterexample with finite values. */
  guard: GuardedAdapter;
  /** A replay takes the conventions that explained its check from its token instead of diagnosing anew. */
  replay: Replay | undefined;
  retained: readonly RetainedRun[];
  immutability: Finding;
  laws: readonly LawOutcome[];
}

/** What the diagnosis makes of an optimizer's evidence. */
export interface Judgement {
  verdict: 'conforms' | 'deviates' | 'fails';
  /** The result's conventions: sorted ids, `non-finite` included. */
  conventions: ConventionId[];
  /** The convention set the diagnosis settled on (empty when none). */
  diagnosed: Conventions;
  /** Each finding the diagnosis explains, and its explained revision. */
  revisions: ReadonlyMap<Finding, Finding>;
  /** For `fails`: the retained runs the diagnosed conventions do not explain. */
  stillFailing: RetainedRun[];
  /** For `fails`: the failing laws they do not explain. */
  lawsLeft: LawOutcome[];
}

/** The failing laws broken only by an infinite or NaN input: those are the `non-finite` convention's. */
async function lawsNeedingNonFinite(evidence: OptimizerEvidence, broken: readonly LawOutcome[]) {
  const needs = new Set<LawOutcome>();
  for (const outcome of broken) if (await lawNeedsNonFinite(outcome, evidence.guard, evidence.rule)) needs.add(outcome);
  return needs;
}

/** The failing runs each explained by `conventions` (with a trace of the reference built with them), or still failing. */
function explainRuns(retained: readonly RetainedRun[], dtype: Judged, conventions: Conventions) {
  const revisions = new Map<Finding, Finding>();
  const stillFailing: RetainedRun[] = [];
  let nonFinite = false;
  for (const { run, finding } of retained) {
    if (finding.status === 'pass') continue;
    const compared = compareScenario(run, dtype, conventions);
    if (compared.mismatch !== undefined) {
      stillFailing.push({ run, finding });
      continue;
    }
    nonFinite ||= compared.nonFinite !== undefined;
    const revised = explained(finding, conventions, compared.nonFinite !== undefined);
    const shown = finding.counterexample!;
    const instance = run.instances[Math.max(0, compared.instance)]!;
    revisions.set(
      finding,
      run.scenario.tile === undefined
        ? { ...revised, counterexample: { ...shown, trace: traceOf(instance, dtype, conventions, shown.step ?? 1) } }
        : revised,
    );
  }
  return { revisions, stillFailing, nonFinite };
}

/**
 * The failing laws each explained by the diagnosed conventions (at once when they
 * explain everything, else when the law fails the same way on their reference), or
 * by `non-finite` alone, or left failing.
 */
async function explainLaws(
  evidence: OptimizerEvidence,
  broken: readonly LawOutcome[],
  needsNonFinite: ReadonlySet<LawOutcome>,
  conventions: Conventions,
  all: boolean,
) {
  const revisions = new Map<Finding, Finding>();
  const lawsLeft: LawOutcome[] = [];
  let nonFinite = false;
  const explains = async (outcome: LawOutcome) =>
    conventionIds(conventions).length > 0 &&
    (await everyLawExplained([outcome], judgedDtype(evidence.dtype), evidence.rule, { conventions }));
  for (const outcome of broken) {
    if (all && !needsNonFinite.has(outcome))
      revisions.set(outcome.finding, explained(outcome.finding, conventions, false));
    else if (await explains(outcome)) revisions.set(outcome.finding, explained(outcome.finding, conventions, false));
    else if (needsNonFinite.has(outcome)) {
      revisions.set(outcome.finding, explained(outcome.finding, {}, true));
      nonFinite = true;
    } else lawsLeft.push(outcome);
  }
  return { revisions, lawsLeft, nonFinite };
}

/**
 * The verdict on an optimizer whose checks made no error. A law broken only by an
 * infinite or NaN input is `non-finite`'s; with nothing else wrong the optimizer
 * conforms, or deviates by `non-finite` alone. Otherwise the diagnosis (diagnose.ts):
 * a convention set that explains every failing check and law, with nothing else
 * wrong, deviates; else the set that explains most of the rest stands beside a
 * `fails` ("fails; otherwise follows ...").
 */
export async function judgeOptimizer(evidence: OptimizerEvidence): Promise<Judgement> {
  const { dtype, rule, retained, immutability, replay } = evidence;
  const broken = evidence.laws.filter((o) => o.result.status === 'fail');
  const needsNonFinite = await lawsNeedingNonFinite(evidence, broken);
  const unmodified = immutability.status === 'pass';
  if (retained.every((r) => r.finding.status !== 'fail') && broken.length === needsNonFinite.size && unmodified) {
    const nonFinite = retained.some((r) => r.finding.status === 'explained') || broken.length > 0;
    return {
      verdict: nonFinite ? 'deviates' : 'conforms',
      conventions: nonFinite ? ['non-finite'] : [],
      diagnosed: {},
      revisions: new Map(broken.map((o) => [o.finding, explained(o.finding, {}, true)])),
      stillFailing: [],
      lawsLeft: [],
    };
  }
  const diagnosis: Diagnosis =
    replay !== undefined
      ? { partial: replay.conventions ?? {} }
      : unmodified
        ? await diagnose(
            dtype,
            rule,
            retained.map((r) => r.run),
            broken.filter((o) => !needsNonFinite.has(o)),
          )
        : {};
  const all = diagnosis.all !== undefined;
  const conventions = diagnosis.all ?? diagnosis.partial ?? {};
  const runs = explainRuns(retained, dtype, conventions);
  const laws = await explainLaws(evidence, broken, needsNonFinite, conventions, all);
  const nonFinite = runs.nonFinite || laws.nonFinite;
  const ids = [...conventionIds(conventions), ...(nonFinite ? (['non-finite'] as const) : [])].sort() as ConventionId[];
  const deviates = all || (runs.stillFailing.length === 0 && laws.lawsLeft.length === 0 && unmodified);
  return {
    verdict: deviates ? 'deviates' : 'fails',
    conventions: ids,
    diagnosed: conventions,
    revisions: new Map([...runs.revisions, ...laws.revisions]),
    stillFailing: runs.stillFailing,
    lawsLeft: laws.lawsLeft,
  };
}
