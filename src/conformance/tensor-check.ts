import fc from 'fast-check';
import {
  type Adapter,
  AdapterError,
  declaredSupport,
  type TensorAdapter,
  type TensorSubject,
  UnsupportedValue,
  unsupportedBecause,
} from '../adapter/index.js';
import type { ConventionId, OptimizerName, ScheduleName } from '../reference/index.js';
import { diagnose, type Failed } from './tensor-diagnosis.js';
import { type ProbeIoSource, probeIo } from './tensor-probe-io.js';
import type { Probe, ProbeFailure, ProbeInput, ProbeIo } from './tensor-probe-kit.js';
import { groupProbes, missingProbes, severalProbes } from './tensor-probes.js';
import { restoreProbes, scheduleProbe } from './tensor-state-probes.js';
import { partingDetail } from './tensor-runs.js';
import type { Counterexample, Finding, SubjectResult } from './types.js';

/**
 * The candidates fast-check may try while shrinking one failure: each runs the probe, up to
 * three instances of the implementation, and 20 is more than the shrinks to one tensor and
 * one step took on every planted bug (spec/tensors-check.spec.ts).
 */
const SHRINK_RUNS = 20;

/**
 * Multiplies each probe's drawn runs at `runs = 1`, as the laws' effort does theirs: the
 * fixed examples cover what the spec names (k = 0 and 1, lengths 0 and 1, a late first
 * gradient), the drawn runs vary it.
 */
const DRAWN_EFFORT = 0.5;

/** What checking a subject of docs/spec.md section 9 needs from the conformance run. */
export interface TensorCheckContext extends ProbeIoSource {
  seed: number;
  runs: number;
  /** Budget for fast-check's shrinking of one counterexample, in milliseconds. */
  shrinkTimeMs: number;
  /** The subjects checked before this one: their verdicts decide which probes run, their conventions the models. */
  results: readonly SubjectResult[];
  record(finding: Finding): void;
  /** Re-run exactly this check (a finding's replay token), at this fast-check path, with what the whole subject's diagnosis named. */
  replay?: { check: string; path?: string; named?: string };
}

/** The check ids a subject reports for an adapter, known before running (the vitest binding registers one test each). */
export function plannedTensorChecks(adapter: Adapter & TensorAdapter, subject: TensorSubject): string[] {
  const support = declaredSupport(adapter);
  if (unsupportedBecause(subject, support) !== undefined) return [];
  return optimizersOf(adapter).flatMap((rule) => probesFor(subject, support.schedules).map((p) => `${rule}/${p.name}`));
}

function optimizersOf(adapter: Adapter): OptimizerName[] {
  try {
    return Array.isArray(adapter.optimizers) ? [...adapter.optimizers] : [];
  } catch {
    return [];
  }
}

/**
 * Every probe of a subject. `run` says which of them run: a probe that needs another
 * subject to conform (several tensors beside a late one, several tensors or the own
 * schedule in a restore) is reported `skipped` when that subject does not.
 */
function probesFor(subject: TensorSubject, schedules: readonly ScheduleName[]): Probe[] {
  switch (subject) {
    case 'tensors:several':
      return [...severalProbes];
    case 'tensors:missing-gradient':
      return missingProbes(true);
    case 'tensors:groups':
      return [...groupProbes];
    case 'tensors:own-schedule':
      return schedules.map(scheduleProbe);
    case 'tensors:save-restore':
      return restoreProbes(schedules[0] as ScheduleName | undefined);
  }
}

/** Why a probe does not run here, when it does not. */
function notRunBecause(
  subject: TensorSubject,
  probe: Probe,
  ctx: TensorCheckContext,
  rule: OptimizerName,
): string | undefined {
  // A replay re-runs a check that ran: what it depended on conformed then.
  if (ctx.replay !== undefined) return undefined;
  const verdict = (s: string) => ctx.results.find((r) => r.subject === s)?.verdict;
  const was = (s: string) => {
    const v = verdict(s);
    return v === undefined ? 'was not checked' : v === 'unsupported' ? 'is unsupported' : v;
  };
  if (
    (probe.name === 'late-beside-others' || probe.name === 'restore-several') &&
    verdict('tensors:several') !== 'conforms'
  )
    return `not run: it needs tensors:several to conform (it ${was('tensors:several')})`;
  if (probe.name === 'restore-scheduled' && verdict('tensors:own-schedule') !== 'conforms')
    return `not run: a restore with the optimizer's own schedule needs tensors:own-schedule to conform (it ${was('tensors:own-schedule')})`;
  if (subject === 'tensors:own-schedule') {
    const name = probe.name.slice('schedule-'.length);
    const listed = (() => {
      try {
        return Array.isArray(ctx.adapter.schedules) && ctx.adapter.schedules.includes(name as 'step');
      } catch {
        return false;
      }
    })();
    if (!listed || typeof ctx.adapter.schedule !== 'function')
      return `not run: the optimizer applies ${name} itself, but the adapter has no schedule function for it (list it in schedules): its values are what ${rule}'s steps are compared with`;
  }
  return undefined;
}

/**
 * Checks one subject of docs/spec.md section 9 over every optimizer the adapter offers:
 * each probe is a fast-check property over the tensors' number and lengths, the steps and
 * the values, its fixed examples first, judged bit for bit against the same implementation
 * run another way; a failure is shrunk to the fewest tensors and steps and diagnosed
 * (the convention `global-step`, the known bugs of docs/conventions.md).
 */
export async function checkTensorSubject(ctx: TensorCheckContext, subject: TensorSubject): Promise<SubjectResult> {
  const support = declaredSupport(ctx.adapter);
  if (unsupportedBecause(subject, support) !== undefined)
    return { subject, verdict: 'unsupported', conventions: [], findings: [] };
  const findings: Finding[] = [];
  const record = (finding: Finding) => {
    findings.push(finding);
    ctx.record(finding);
  };
  const io = probeIo(ctx);
  const failed: Failed[] = [];
  let refusedOnly = 0;
  const rules = optimizersOf(ctx.adapter);
  const planned = rules.flatMap((rule) => probesFor(subject, support.schedules).map((probe) => ({ rule, probe })));
  for (let j = 0; j < planned.length; j++) {
    const { rule, probe } = planned[j]!;
    const check = `${rule}/${probe.name}`;
    if (ctx.replay !== undefined && ctx.replay.check !== check) continue;
    const reason = notRunBecause(subject, probe, ctx, rule);
    if (reason !== undefined) {
      record({ check, status: 'skipped', message: `${probe.purpose}: ${reason}` });
      continue;
    }
    const outcome = await runProbe(ctx, io, rule, probe);
    record(outcome.finding);
    if (outcome.finding.status === 'error') {
      const rest = planned.length - j - 1;
      if (rest > 0)
        record({
          check: 'skipped',
          status: 'error',
          message: `${rest} remaining check(s) of ${subject} skipped after the adapter error`,
        });
      return { subject, verdict: 'error', conventions: [], findings };
    }
    if (outcome.refusedOnly) refusedOnly++;
    if (outcome.failure !== undefined)
      failed.push({ finding: outcome.finding, rule, probe, failure: outcome.failure, xs: outcome.failure.xs });
  }
  if (findings.length > 0 && findings.every((f) => f.status === 'skipped')) {
    if (refusedOnly > 0) {
      record({
        check: 'refused',
        status: 'error',
        message: `the implementation refused every configuration of ${subject} it was given`,
      });
      return { subject, verdict: 'error', conventions: [], findings };
    }
    return { subject, verdict: 'unsupported', conventions: [], findings };
  }
  try {
    await diagnose(ctx, io, subject, failed);
  } catch (error) {
    // The diagnosis reruns the implementation; an adapter error there leaves the failures unnamed.
    if (!(error instanceof AdapterError)) throw error;
  }
  const failing = findings.filter((f) => f.status === 'fail');
  const conventions = [
    ...new Set(findings.flatMap((f) => (f.status === 'explained' ? (f.conventions ?? []) : []))),
  ].sort() as ConventionId[];
  if (failing.length === 0)
    return { subject, verdict: conventions.length > 0 ? 'deviates' : 'conforms', conventions, findings };
  const bugs = new Set(failing.map((f) => f.bug));
  const bug = bugs.size === 1 ? [...bugs][0] : undefined;
  return { subject, verdict: 'fails', conventions, ...(bug === undefined ? {} : { bug }), findings };
}

async function runProbe(
  ctx: TensorCheckContext,
  io: ProbeIo,
  rule: OptimizerName,
  probe: Probe,
): Promise<{ finding: Finding; failure?: ProbeFailure; refusedOnly?: boolean }> {
  const check = `${rule}/${probe.name}`;
  const examples = probe.examples(rule);
  let adapterError: AdapterError | undefined;
  let refusal: UnsupportedValue | undefined;
  let ran = 0;
  let firstFailureAt: number | undefined;
  const failures = new Map<ProbeInput, ProbeFailure>();
  let last: ProbeFailure | undefined;
  let shrinks = 0;
  const property = fc.asyncProperty(probe.arbitrary(rule), async (input) => {
    if (adapterError !== undefined) return true;
    // Past the shrinking budget (time, and candidates: each costs instances of the implementation) every candidate
    // passes: fast-check keeps the smallest failure found so far.
    if (firstFailureAt !== undefined && (Date.now() - firstFailureAt > ctx.shrinkTimeMs || ++shrinks > SHRINK_RUNS))
      return true;
    let failure: ProbeFailure | undefined;
    try {
      failure = await probe.test(input, io);
    } catch (error) {
      if (error instanceof AdapterError) {
        adapterError = error;
        return true;
      }
      if (error instanceof UnsupportedValue) {
        refusal = error;
        fc.pre(false);
      }
      throw error;
    }
    ran++;
    if (failure === undefined) return true;
    failures.set(input, failure);
    last = failure;
    firstFailureAt ??= Date.now();
    return false;
  });
  const details = await fc.check(property, {
    seed: ctx.seed,
    numRuns: examples.length + Math.max(1, Math.round(probe.drawn * ctx.runs * DRAWN_EFFORT)),
    examples: examples.map((e) => [e] as [ProbeInput]),
    ...(ctx.replay?.path === undefined ? {} : { path: ctx.replay.path }),
  });
  if (adapterError !== undefined) return { finding: { check, status: 'error', message: adapterError.message } };
  const counter = details.counterexample?.[0];
  const failure = counter === undefined ? undefined : (failures.get(counter) ?? last);
  if (details.failed && failure !== undefined) {
    const first = failure.run.groups[0]!;
    const counterexample: Counterexample = {
      ...partingDetail(failure.parting, ctx.adapter.dtype, probe.purpose),
      config: first.config,
      seed: ctx.seed,
      ...(details.counterexamplePath === null ? {} : { path: details.counterexamplePath }),
      run: failure.run,
    };
    return {
      finding: { check, status: 'fail', message: `${probe.purpose}: ${failure.message}`, counterexample },
      failure,
    };
  }
  if (ran === 0 && refusal !== undefined)
    return {
      finding: { check, status: 'skipped', message: `${probe.purpose}: skipped: ${refusal.message}` },
      refusedOnly: true,
    };
  if (
    details.failed &&
    details.errorInstance !== null &&
    details.errorInstance !== undefined &&
    !(details.errorInstance instanceof UnsupportedValue)
  )
    throw details.errorInstance;
  return {
    finding: {
      check,
      status: 'pass',
      message: `${probe.purpose}: ${ran} run(s) equal bit for bit${refusal === undefined ? '' : '; some configurations refused'}`,
    },
  };
}
