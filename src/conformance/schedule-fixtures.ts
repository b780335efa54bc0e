import type { ScheduleFixtureCase } from '../fixtures/index.js';
import {
  AdapterError,
  runScripts,
  type Script,
  scriptInProgress,
  type ScriptOutcome,
  UnsupportedValue,
} from '../adapter/index.js';
import { ulpDistance } from '../numerics/index.js';
import type { Dtype, ScheduleName } from '../reference/index.js';
import { conformanceFixtures } from './conformance-fixtures.js';
import type { CheckContext } from './context.js';
import type { AnsweredTable } from './name-bug.js';
import { scheduleBound } from './tolerance.js';
import type { Counterexample, Finding } from './types.js';

/** What a schedule's fixture cases showed. */
export interface ScheduleEvidence {
  /** One finding per case run, in case order, and one for those an adapter error left unrun. */
  findings: Finding[];
  /** Per case answered in full, the adapter's values, for matching a known bug afterwards. */
  answered: AnsweredTable[];
}

/** The outcomes of the cases' tables, and, when a batch itself failed, the case that met the failure. */
interface Tables {
  tables: ScriptOutcome[];
  lost?: { at: number; error: AdapterError };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Every case's table in one batch (one round trip through a worker); a batch stops at
 * an adapter error, and the cases after it go in the next, as each case is checked
 * whatever the one before did. When the batch itself fails (the worker ended, a call
 * hung), the case that was running meets it, and the rest are not checked.
 */
async function fetchTables(ctx: CheckContext, cases: readonly ScheduleFixtureCase[]): Promise<Tables> {
  const tables: ScriptOutcome[] = [];
  while (tables.length < cases.length) {
    const scripts: Script[] = cases
      .slice(tables.length)
      .map((c) => ({ calls: [{ op: 'values', config: c.config, t: [...c.t] }] }));
    try {
      tables.push(...(await runScripts(ctx.guard, scripts)));
    } catch (error) {
      if (!(error instanceof AdapterError)) throw error;
      return {
        tables,
        lost: { at: tables.length + Math.min(scriptInProgress(error) ?? 0, scripts.length - 1), error },
      };
    }
  }
  return { tables };
}

/** One case's finding from the adapter's table: pass, fail at the first value beyond the bound, skipped or error. */
function caseFinding(c: ScheduleFixtureCase, outcome: ScriptOutcome, dtype: Dtype): Finding {
  const check = `fixture:${c.id}`;
  const failure = outcome.ok ? outcome.result.failures?.[0] : { error: outcome.error };
  if (failure !== undefined) {
    if (failure.error instanceof UnsupportedValue)
      return { check, status: 'skipped', message: `skipped: ${failure.error.message}` };
    return { check, status: 'error', message: message(failure.error) };
  }
  const values = (outcome as Extract<ScriptOutcome, { ok: true }>).result.xs[0]!;
  const k = c.t.findIndex(
    (t, i) => !(Math.abs(values[i]! - c.values[i]!) <= scheduleBound(c.config, dtype, t, c.values[i]!)),
  );
  if (k < 0)
    return {
      check,
      status: 'pass',
      message: `${c.t.length} value${c.t.length === 1 ? '' : 's'} within the derived bound`,
    };
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
    tolerance: `|actual - expected| <= ${scheduleBound(c.config, dtype, t, expected).toPrecision(3)} (src/conformance/tolerance.ts scheduleBound)`,
  };
  return {
    check,
    status: 'fail',
    message: `first wrong at t = ${t} (t counted from 0): expected ${expected}, got ${actual}`,
    counterexample,
  };
}

/**
 * Runs a schedule's golden fixture cases (a replay: its own case only) and judges
 * each table against the fixture's values within the derived bound. `onFinding` is
 * told each finding as it is made.
 */
export async function runScheduleFixtures(
  ctx: CheckContext,
  name: ScheduleName,
  onFinding: (finding: Finding) => void,
): Promise<ScheduleEvidence> {
  const file = conformanceFixtures().schedules.find((f) => f.schedule === name);
  const replay = ctx.replay;
  const cases = (file?.cases ?? []).filter((x) => replay === undefined || replay.check === `fixture:${x.id}`);
  const { tables, lost } = await fetchTables(ctx, cases);
  const evidence: ScheduleEvidence = { findings: [], answered: [] };
  const record = (finding: Finding): void => {
    evidence.findings.push(finding);
    onFinding(finding);
  };
  for (const [j, c] of cases.entries()) {
    const outcome = tables[j];
    if (outcome === undefined) {
      if (lost === undefined || j !== lost.at) continue;
      record({ check: `fixture:${c.id}`, status: 'error', message: message(lost.error) });
      const rest = cases.length - tables.length - 1;
      if (rest > 0)
        record({
          check: 'skipped',
          status: 'error',
          message: `${rest} other fixture check(s) of schedule:${name} not run: the adapter's worker ended`,
        });
      continue;
    }
    const finding = caseFinding(c, outcome, ctx.adapter.dtype);
    if (finding.status === 'pass' || finding.status === 'fail')
      evidence.answered.push({
        config: c.config,
        t: c.t,
        values: (outcome as Extract<ScriptOutcome, { ok: true }>).result.xs[0]!,
      });
    record(finding);
  }
  return evidence;
}
