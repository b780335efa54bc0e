import type { OptimizerName } from '../reference/index.js';
import { AdapterError, UnsupportedValue } from '../adapter/index.js';
import type { CheckContext } from './context.js';
import type { MutationRecord } from './guard.js';
import { type ScenarioRun, scenarioRunOf } from './run.js';
import { scenarioBatches } from './scenario-batches.js';
import { scenarioFinding } from './scenario-finding.js';
import { scenarioPlan, scenarioStream } from './scenario-plan.js';
import type { Finding } from './types.js';
import { judgedOf } from './mixed-precision.js';

/**
 * Scenario runs kept per optimizer for the diagnosis (and as many failing ones):
 * far more than the default runs draw (about 30), and a bound on memory when
 * --runs asks for millions (a run is about 10 KB; unbounded, 15 s of --runs 1e5
 * grew by 860 MB).
 */
const RETAINED_RUNS = 4096;

/** A scenario run kept for the diagnosis, with the finding it became. */
export interface RetainedRun {
  run: ScenarioRun;
  finding: Finding;
}

/** What an optimizer's scenarios showed. */
export interface ScenarioEvidence {
  /** Every finding of the scenarios, in the order made. */
  findings: Finding[];
  /** The runs kept for the diagnosis: the first {@link RETAINED_RUNS}, and as many failing ones. */
  retained: RetainedRun[];
  /** What the implementation modified of what it was handed, in run order. */
  mutations: MutationRecord[];
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs the scenarios of one optimizer (golden fixtures, learning-rate changes and
 * instance independence, probes, drawn runs) in pipelined batches
 * (src/conformance/scenario-batches.ts) and judges each against the lecture's rule.
 * The first adapter error ends the run: the remaining scenarios would only repeat it
 * (and a hang would cost a timeout each). Memory is bounded whatever `--runs` asks
 * for: beyond {@link RETAINED_RUNS}, only failing runs are kept. `onFinding` is told
 * each finding as it is made.
 */
export async function runScenarios(
  ctx: CheckContext,
  rule: OptimizerName,
  onFinding: (finding: Finding) => void,
): Promise<ScenarioEvidence> {
  const dtype = ctx.adapter.dtype;
  const evidence: ScenarioEvidence = { findings: [], retained: [], mutations: [] };
  const record = (finding: Finding): void => {
    evidence.findings.push(finding);
    onFinding(finding);
  };
  const plan = scenarioPlan(rule, ctx);
  const batches = scenarioBatches(scenarioStream(rule, ctx, plan), ctx.guard, dtype, ctx.replay);
  const take = () => {
    const next = batches.next();
    return next.done === true ? undefined : next.value;
  };
  let retainedFailing = 0;
  let current = take();
  while (current !== undefined) {
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
          record({ check: scenario.id, status: 'skipped', message: `${scenario.purpose}: skipped: ${error.message}` });
          continue;
        }
        if (!(error instanceof AdapterError)) throw error;
        record({ check: scenario.id, status: 'error', message: message(error) });
        const rest = plan.fixed.length + plan.drawn - at - 1 + lost;
        if (rest > 0)
          record({
            check: 'skipped',
            status: 'error',
            message: `${rest} remaining check(s) of ${rule} skipped after the adapter error`,
          });
        return evidence;
      }
      const { run, mutations } = scenarioRunOf(scenario, scripts[k]!, outcome.result, ctx.adapter.arithmetic);
      evidence.mutations.push(...mutations);
      const finding = scenarioFinding(run, judgedOf(ctx.adapter));
      if (evidence.retained.length < RETAINED_RUNS || (finding.status !== 'pass' && retainedFailing < RETAINED_RUNS)) {
        evidence.retained.push({ run, finding });
        if (finding.status !== 'pass') retainedFailing++;
      }
      record(finding);
    }
  }
  return evidence;
}
