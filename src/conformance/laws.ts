import { referenceAdapter } from '../adapter.js';
import type { Adapter } from '../adapter.js';
import { checkLaw, type Law, type LawResult } from '../laws/law.js';
import type { Conventions, Dtype, OptimizerConfig, OptimizerName } from '../types.js';
import type { Counterexample, Finding } from './types.js';

/** A law run against the implementation, with the finding it became. */
export interface LawOutcome {
  law: Law;
  result: LawResult;
  finding: Finding;
}

/** Reads the inputs of a law's counterexample where they have the usual names (`config`, `x0`, `grads`/`gradients`, `learningRates`). */
function lawInputs(counterexample: unknown): Pick<Counterexample, 'config' | 'x0' | 'gradients' | 'learningRates'> {
  if (typeof counterexample !== 'object' || counterexample === null) return {};
  const c = counterexample as Record<string, unknown>;
  const out: Pick<Counterexample, 'config' | 'x0' | 'gradients' | 'learningRates'> = {};
  if (typeof c.config === 'object' && c.config !== null) out.config = c.config as OptimizerConfig;
  if (Array.isArray(c.x0)) out.x0 = c.x0 as number[];
  const grads = c.grads ?? c.gradients;
  if (Array.isArray(grads)) out.gradients = grads as number[][];
  if (Array.isArray(c.learningRates)) out.learningRates = (c.learningRates as (number | undefined)[]).map((v) => v ?? null);
  return out;
}

/** The finding of one law result: `law:<id>`, with fast-check's shrunk counterexample, seed and path when it failed. */
export function lawFinding(result: LawResult): Finding {
  const check = `law:${result.id}`;
  if (result.status === 'pass') return { check, status: 'pass', message: `${result.title} (${result.numRuns} runs)` };
  const message = `${result.title}: ${result.message ?? result.status}`;
  if (result.status === 'error') return { check, status: 'error', message };
  const counterexample: Counterexample = { ...(result.violation ?? {}), ...lawInputs(result.counterexample), seed: result.seed };
  if (result.path !== undefined) counterexample.path = result.path;
  return { check, status: 'fail', message, counterexample };
}

/**
 * Runs laws against the (guarded) implementation, through the very law functions
 * of the laws issue (`checkLaw`), seeded by the run's seed; `effort` multiplies
 * each law's own run count.
 */
export async function runLaws(laws: readonly Law[], adapter: Adapter, seed: number, effort: number, onFinding: (finding: Finding) => void): Promise<LawOutcome[]> {
  const out: LawOutcome[] = [];
  for (const law of laws) {
    const result = await checkLaw(law, adapter, { seed, effort });
    const finding = lawFinding(result);
    onFinding(finding);
    out.push({ law, result, finding });
  }
  return out;
}

/**
 * The reference with a convention set per optimizer: a law may drive two
 * optimizers of the adapter (RMSProp's AdaGrad limit, Adam with beta1 = 0 as
 * RMSProp), so the reference that explains it needs each one's conventions.
 */
export function conventionReference(dtype: Dtype, perRule: ReadonlyMap<OptimizerName, Conventions>): Adapter {
  const base = referenceAdapter({ dtype });
  return {
    ...base,
    name: `optimspec reference (${dtype}) with conventions`,
    create: (config, x0) => referenceAdapter({ dtype, conventions: perRule.get(config.optimizer) ?? {} }).create(config, x0),
  };
}

/**
 * Whether a law that failed on the implementation also fails on the reference
 * built with the diagnosed conventions (issue 4: "fails the same way on the
 * reference built with those conventions"): first replayed at the same seed and
 * path; when that input passes there (a law whose tolerance sits within a few
 * roundings of the convention's effect can fall either way for two correct
 * float32 implementations), the law is run on that reference with the same seed
 * and run count, and a failure there shows that the convention breaks the law.
 */
export async function lawExplained(outcome: LawOutcome, dtype: Dtype, perRule: ReadonlyMap<OptimizerName, Conventions>): Promise<boolean> {
  const { result } = outcome;
  const reference = conventionReference(dtype, perRule);
  const replay = await checkLaw(outcome.law, reference, { seed: result.seed, numRuns: result.numRuns, ...(result.path === undefined ? {} : { path: result.path }) });
  if (replay.status === 'fail') return true;
  const search = await checkLaw(outcome.law, reference, { seed: result.seed, numRuns: result.numRuns });
  return search.status === 'fail';
}
