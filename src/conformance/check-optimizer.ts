import { lawsFor } from '../laws/index.js';
import type { Subject } from '../laws/index.js';
import { optimizerRules } from '../registry/index.js';
import type { Conventions, OptimizerName } from '../reference/index.js';
import { type CheckContext, progressOf } from './context.js';
import { shrunkFinding } from './counterexample.js';
import { CONFORMANCE_DEFAULTS } from './defaults.js';
import { immutabilityFinding } from './immutability-finding.js';
import { type Judgement, judgeOptimizer } from './judge-optimizer.js';
import { type LawOutcome, runLaws } from './laws.js';
import { hasLongHorizon, LONG_HORIZON_CHECK, longHorizonFinding } from './long-horizon-check.js';
import { epsilonLost, lostEpsilonFinding, lostEpsilonOf } from './lost-epsilon.js';
import { nameBug } from './name-bug.js';
import { referenceState } from './reference-state.js';
import { withReplayTokens } from './replay-tokens.js';
import { type RetainedRun, runScenarios } from './run-scenarios.js';
import type { Finding, SubjectResult } from './types.js';
import { judgedDtype, judgedOf } from './mixed-precision.js';

const isError = (finding: Finding): boolean => finding.status === 'error';

/**
 * The optimizers of the implementation a law about `rule` may drive besides it:
 * those that conform (a replay: those its token names), so that a bug in one
 * optimizer never judges another.
 */
function companionsOf(ctx: CheckContext, rule: OptimizerName, earlier: readonly SubjectResult[]): OptimizerName[] {
  return (
    ctx.replay?.companions ??
    optimizerRules
      .map((r) => r.name)
      .filter((name) => name !== rule && earlier.some((r) => r.subject === name && r.verdict === 'conforms'))
  );
}

/**
 * Checks one optimizer, in stages that each return data: its scenarios (fixtures,
 * probes, drawn runs) and what it did to what it was handed, then the laws, then the
 * diagnosis and verdict, then for `fails` the known bug and the shrunk
 * counterexample, and last each finding's replay token. `earlier` holds the results
 * of the subjects checked before (a law drives only those that conform).
 */
export async function checkOptimizer(
  ctx: CheckContext,
  rule: OptimizerName,
  earlier: readonly SubjectResult[],
): Promise<SubjectResult> {
  if (!ctx.adapter.optimizers.includes(rule))
    return { subject: rule, verdict: 'unsupported', conventions: [], findings: [] };
  const { result, laws, diagnosed } = await judged(ctx, rule, earlier);
  return {
    ...result,
    findings: withReplayTokens(ctx, { subject: rule, laws, conventions: diagnosed }, result.findings),
  };
}

/** A subject's result before its replay tokens, with what they carry besides the findings. */
interface Judged {
  result: SubjectResult;
  laws: readonly LawOutcome[];
  diagnosed: Conventions;
}

/**
 * The result of every stage but the replay tokens. An adapter error at any stage
 * makes the verdict `error` and ends the subject there.
 */
async function judged(ctx: CheckContext, rule: OptimizerName, earlier: readonly SubjectResult[]): Promise<Judged> {
  const subject: Subject = rule;
  const progress = progressOf(ctx, subject);
  const error = (findings: Finding[], laws: readonly LawOutcome[] = []): Judged => ({
    result: { subject, verdict: 'error', conventions: [], findings },
    laws,
    diagnosed: {},
  });
  const scenarios = await runScenarios(ctx, rule, progress);
  const found = scenarios.findings;
  if (found.length > 0 && scenarios.retained.length === 0 && found.every((f) => f.status === 'skipped')) {
    const refused: Finding = {
      check: 'refused',
      status: 'error',
      message: `the implementation refused every configuration of ${rule} it was given`,
    };
    progress(refused);
    return error([...found, refused]);
  }
  const immutability = immutabilityFinding(scenarios.mutations);
  const shown = ctx.replay === undefined || ctx.replay.check === 'immutability' ? [immutability] : [];
  shown.forEach(progress);
  const checked = [...found, ...shown];
  if (checked.some(isError)) return error(checked);

  const laws = await runLaws(
    lawsFor(subject).filter((l) => ctx.replay === undefined || ctx.replay.check === `law:${l.id}`),
    ctx.guard,
    subject,
    companionsOf(ctx, rule, earlier),
    ctx.seed,
    ctx.runs * CONFORMANCE_DEFAULTS.lawEffort,
    progress,
    ctx.replay?.path,
  );
  const findings = [...checked, ...laws.map((o) => o.finding)];
  if (findings.some(isError)) return error(findings, laws);

  const { retained } = scenarios;
  const judgement = await judgeOptimizer({
    dtype: judgedOf(ctx.adapter),
    rule,
    guard: ctx.guard,
    replay: ctx.replay,
    retained,
    immutability,
    laws,
  });
  const { verdict, conventions, diagnosed } = judgement;
  const horizon =
    hasLongHorizon(rule) && (ctx.replay === undefined || ctx.replay.check === LONG_HORIZON_CHECK)
      ? await longHorizonFinding(ctx, rule, verdict, conventions)
      : undefined;
  if (horizon !== undefined) progress(horizon.finding);
  const long = horizon === undefined ? [] : [horizon.finding];
  if (horizon?.finding.status === 'error') return error([...findings, ...long], laws);
  if (horizon?.finding.status === 'fail')
    return {
      result: {
        subject,
        verdict: 'fails',
        conventions,
        ...(horizon.bug === undefined ? {} : { bug: horizon.bug }),
        findings: [...revised(findings, judgement.revisions), ...long],
      },
      laws,
      diagnosed,
    };
  if (verdict !== 'fails')
    return {
      result: { subject, verdict, conventions, findings: [...revised(findings, judgement.revisions), ...long] },
      laws,
      diagnosed,
    };
  const failed = await failure(ctx, rule, judgement, retained, immutability);
  const result: SubjectResult = {
    subject,
    verdict,
    conventions,
    ...(failed.bug === undefined ? {} : { bug: failed.bug }),
    findings: [...revised(findings, new Map([...judgement.revisions, ...failed.revisions])), ...long],
  };
  return { result, laws, diagnosed };
}

/** The findings, each replaced by its revision where it has one. */
function revised(findings: readonly Finding[], revisions: ReadonlyMap<Finding, Finding>): Finding[] {
  return findings.map((f) => revisions.get(f) ?? f);
}

/**
 * A `fails` verdict's last stages: the known bug that explains every finding still
 * failing, marked on each of them, and the first run still failing shrunk to a
 * minimal counterexample (a failing law's is shrunk by checkLaw already); with no
 * bug named, each counterexample gets the reference's state where it parts.
 */
async function failure(
  ctx: CheckContext,
  rule: OptimizerName,
  judgement: Judgement,
  retained: readonly RetainedRun[],
  immutability: Finding,
) {
  const { stillFailing, lawsLeft, diagnosed: conventions } = judgement;
  const dtype = judgedOf(ctx.adapter);
  const failing = [
    ...stillFailing.map((r) => r.finding),
    ...lawsLeft.map((o) => o.finding),
    ...(immutability.status === 'fail' ? [immutability] : []),
  ];
  const runs = retained.map((r) => r.run);
  const unmodified = immutability.status === 'pass';
  // A replay has no scenario runs to show a lost epsilon (see epsilonLost).
  const lost =
    ctx.replay === undefined &&
    (await epsilonLost({ dtype, subject: rule, runs, laws: lawsLeft, conventions, unmodified }))
      ? lostEpsilonOf({ runs, laws: lawsLeft })
      : undefined;
  const bug =
    lost !== undefined
      ? undefined
      : await nameBug({
          dtype,
          subject: rule,
          runs,
          laws: lawsLeft,
          failing,
          conventions,
          unmodified,
          ...(ctx.replay === undefined
            ? {}
            : { replayed: ctx.replay.named === undefined ? {} : { named: ctx.replay.named } }),
        });
  const revisions = new Map<Finding, Finding>(
    bug === undefined ? [] : failing.map((f): [Finding, Finding] => [f, { ...f, bug }]),
  );
  const primary = stillFailing[0];
  if (primary !== undefined) {
    const marked = revisions.get(primary.finding) ?? primary.finding;
    revisions.set(
      primary.finding,
      await shrunkFinding(marked, primary.run, {
        create: (config, x0) => ctx.guard.createGuarded(config, x0),
        dtype,
        ...(ctx.adapter.arithmetic === undefined ? {} : { arithmetic: ctx.adapter.arithmetic }),
        conventions,
        seed: ctx.seed,
        timeLimitMs: CONFORMANCE_DEFAULTS.shrinkTimeMs,
        stepBudget: CONFORMANCE_DEFAULTS.shrinkSteps,
      }),
    );
  }
  if (bug === undefined)
    for (const finding of failing) {
      const shown = revisions.get(finding) ?? finding;
      const c = shown.counterexample;
      const state = c === undefined ? undefined : referenceState(c, judgedDtype(dtype), conventions);
      if (state !== undefined) revisions.set(finding, { ...shown, counterexample: { ...c, referenceState: state } });
    }
  if (lost !== undefined)
    for (const finding of failing) revisions.set(finding, lostEpsilonFinding(revisions.get(finding) ?? finding, lost));
  return { bug, revisions };
}
