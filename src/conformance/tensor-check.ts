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
import type {
  ConventionId,
  Dtype,
  KnownBugId,
  OptimizerConfig,
  OptimizerName,
  ScheduleConfig,
  ScheduleName,
} from '../reference/index.js';
import { type GuardedStepper, type GuardOptions, scheduleValues } from './guard.js';
import { DOWNCASTS, roundArrays } from './tensor-downcast.js';
import { createTensorsGuarded, type GuardedTensorStepper } from './tensor-guard.js';
import { conventionsOf, countsTensors, globalStep, matchesCounter } from './tensor-models.js';
import {
  firstPartingAll,
  genericValues,
  groupProbes,
  missingProbes,
  type Probe,
  type ProbeFailure,
  type ProbeInput,
  type ProbeIo,
  type RestoredRun,
  restoreProbes,
  scheduleProbe,
  severalProbes,
} from './tensor-probes.js';
import { partingDetail, specOf, stepArguments, type TensorRun, type Trajectory } from './tensor-runs.js';
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
export interface TensorCheckContext {
  adapter: Adapter & TensorAdapter;
  guardOptions: GuardOptions;
  seed: number;
  runs: number;
  /** Budget for fast-check's shrinking of one counterexample, in milliseconds. */
  shrinkTimeMs: number;
  /** The subjects checked before this one: their verdicts decide which probes run, their conventions the models. */
  results: readonly SubjectResult[];
  /** A guarded instance of the single-vector contract (the conformance run's guard). */
  single(config: OptimizerConfig, x0: ArrayLike<number>): Promise<GuardedStepper>;
  record(finding: Finding): void;
  /** Re-run exactly this check (a finding's replay token), at this fast-check path, with what the whole subject's diagnosis named. */
  replay?: { check: string; path?: string; named?: string };
}

/** A failing probe's run and what the diagnosis needs of it. */
interface Failed {
  finding: Finding;
  rule: OptimizerName;
  probe: Probe;
  failure: ProbeFailure;
  xs: Trajectory;
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

/** Names what a subject's failures are: the convention `global-step`, or a known bug (docs/conventions.md). */
async function diagnose(
  ctx: TensorCheckContext,
  io: ProbeIo,
  subject: TensorSubject,
  failed: readonly Failed[],
): Promise<void> {
  const dtype = ctx.adapter.dtype;
  const conventionsFor = (rule: OptimizerName) =>
    conventionsOf(ctx.results.find((r) => r.subject === rule)?.conventions ?? []);
  const name = (f: Failed, bug: KnownBugId) => {
    f.finding.bug = bug;
    f.finding.message = `${bug}: ${f.finding.message}`;
  };
  for (const rule of new Set(failed.map((f) => f.rule))) {
    const mine = failed.filter((f) => f.rule === rule);
    const conventions = conventionsFor(rule);
    switch (subject) {
      case 'tensors:several':
        for (const f of mine)
          if (
            f.probe.name === 'together-alone' &&
            matchesCounter(f.failure.run, f.xs, dtype, conventions, countsTensors)
          )
            name(f, 'step-counter-counts-tensors');
        break;
      case 'tensors:missing-gradient': {
        // A replayed check keeps the diagnosis the whole subject made: alone it may match either model.
        const named = ctx.replay?.named;
        if (
          (named === undefined || named === 'global-step') &&
          mine.every(
            (f) =>
              !f.failure.movedWithoutGradient && matchesCounter(f.failure.run, f.xs, dtype, conventions, globalStep),
          )
        ) {
          for (const f of mine) {
            f.finding.status = 'explained';
            f.finding.conventions = ['global-step'];
            f.finding.message = `explained by global-step (one step counter for every tensor, so a tensor's bias correction counts the steps it had no gradient in): ${f.finding.message}`;
          }
          break;
        }
        for (const f of mine) {
          if (f.failure.movedWithoutGradient || (await zeroFilled(io, f))) name(f, 'missing-gradient-advances-state');
        }
        break;
      }
      case 'tensors:own-schedule':
        for (const f of mine) if (await oneEarly(io, f)) name(f, 'schedule-one-early');
        break;
      case 'tensors:save-restore': {
        // One diagnosis per optimizer (each rerun costs three instances), from its first failing restore.
        const restores = mine.filter(
          (f) => f.failure.restore !== undefined && !f.failure.message.startsWith('saving changed the run'),
        );
        const downcast = restores[0] === undefined ? undefined : await downcastTo(io, restores[0], dtype);
        for (const f of restores) {
          if (downcast !== undefined) {
            name(f, 'state-downcast');
            f.finding.message +=
              downcast.on === 'save'
                ? `; the saved state holds only ${downcast.precision} values where the parameters do not`
                : `; restoring the state rounded to ${downcast.precision} gives the restored run bit for bit`;
          } else if (f.failure.restore!.k >= 1) {
            name(f, 'state-lost-on-restore');
            f.finding.message += `; a restore after 0 steps continues exactly, so part of the state held after ${f.failure.restore!.k} step(s) was not saved or not restored`;
          }
        }
        break;
      }
      case 'tensors:groups':
        break;
    }
  }
}

/** Whether the run equals the same run with a zero gradient wherever one was missing (a missing gradient taken as zero). */
async function zeroFilled(io: ProbeIo, f: Failed): Promise<boolean> {
  const run = f.failure.run;
  const zeros: TensorRun = {
    ...run,
    steps: run.steps.map((s) => ({ ...s, grads: s.grads.map((g, i) => g ?? run.x0[i]!.map(() => 0)) })),
  };
  const xs = await io.drive(zeros);
  return firstPartingAll(f.xs, xs, run, 0) === undefined;
}

/** Whether the own-schedule run equals the same steps given schedule(t + 1) (counted from 1). */
async function oneEarly(io: ProbeIo, f: Failed): Promise<boolean> {
  const schedule = f.failure.schedule;
  if (schedule === undefined) return false;
  const run = f.failure.run;
  const values = await io.scheduleValues(
    schedule.config,
    run.steps.map((_, t) => t + 1),
  );
  const given: TensorRun = {
    groups: run.groups.map(({ schedule: _, ...g }) => g),
    x0: run.x0,
    steps: run.steps.map((s, t) => ({ grads: s.grads, learningRates: [values[t]!] })),
  };
  return firstPartingAll(f.xs, await io.drive(given), run, 0) === undefined;
}

/**
 * The lower precision the state goes through on a save or a restore, if the failing restore
 * shows one. The same restore is made with generic values (a shrunk counterexample's simple
 * values may be exact in any precision), and it must still part. Rounded on save: every
 * number of the saved state's arrays is a value of that precision, while the parameters the
 * run returned are not. Rounded on load: restoring the state rounded to that precision gives
 * the restored run bit for bit, and the rounding changed the state.
 */
async function downcastTo(
  io: ProbeIo,
  f: Failed,
  dtype: Dtype,
): Promise<{ precision: string; on: 'save' | 'load' } | undefined> {
  const restore = f.failure.restore!;
  const run = genericValues(f.failure.run, dtype);
  const generic = await io.restored(run, restore.k, restore.into);
  if (firstPartingAll(generic.resumed, generic.saved, run, restore.k) === undefined) return undefined;
  const params = generic.saved.flat();
  // Evidence needs numbers to round: a state whose arrays hold only zeros (SGD's) says nothing.
  const onlyZeros = !roundArrays(generic.state, (v) => (Number.isFinite(v) && v !== 0 ? Number.NaN : v)).changed;
  for (const { name, round } of DOWNCASTS) {
    if (name === 'float32' && dtype === 'float32') continue;
    const paramsExact = params.every((x) => !roundArrays([...x], round).changed);
    if (!onlyZeros && !paramsExact && !roundArrays(generic.state, round).changed)
      return { precision: name, on: 'save' };
    const rerun = await io.restored(run, restore.k, restore.into, (state) => roundArrays(state, round));
    if (rerun.modified === true && firstPartingAll(rerun.resumed, generic.resumed, run, 0) === undefined)
      return { precision: name, on: 'load' };
  }
  return undefined;
}

/** The probes' view of the implementation: every instance created, stepped and disposed under the guard. */
function probeIo(ctx: TensorCheckContext): ProbeIo {
  const { adapter, guardOptions } = ctx;
  const create = (run: TensorRun) => createTensorsGuarded(adapter, specOf(run), guardOptions);
  const finish = async <T>(stepper: GuardedTensorStepper | GuardedStepper, work: () => Promise<T>): Promise<T> => {
    let result: T;
    try {
      result = await work();
    } catch (error) {
      await stepper.dispose().catch(() => undefined);
      throw error;
    }
    await stepper.dispose();
    return result;
  };
  const steps = async (
    stepper: GuardedTensorStepper,
    run: TensorRun,
    from: number,
    to: number,
  ): Promise<Trajectory> => {
    const xs: Trajectory = [];
    for (let s = from; s < to; s++) {
      const { grads, learningRates } = stepArguments(run.steps[s]!);
      xs.push(await stepper.step(grads, learningRates));
    }
    return xs;
  };
  const io: ProbeIo = {
    dtype: adapter.dtype,
    async drive(run) {
      const stepper = await create(run);
      return finish(stepper, () => steps(stepper, run, 0, run.steps.length));
    },
    async single(config, x0, grads, learningRates) {
      const stepper = await ctx.single(config, x0);
      return finish(stepper, async () => {
        const xs: Float64Array[] = [];
        for (let t = 0; t < grads.length; t++) xs.push(await stepper.step(grads[t]!, learningRates[t]));
        return xs;
      });
    },
    async restored(run, k, into, modify) {
      const first = await create(run);
      let state: unknown;
      const saved = await finish(first, async () => {
        const head = await steps(first, run, 0, k);
        state = await first.save();
        return [...head, ...(await steps(first, run, k, run.steps.length))];
      });
      const plain = await io.drive(run);
      const params = k === 0 ? run.x0.map((x) => Float64Array.from(x)) : saved[k - 1]!;
      const out: RestoredRun = { saved, plain, resumed: [], state };
      if (modify !== undefined) {
        const changed = modify(state);
        state = changed.state;
        out.modified = changed.changed;
      }
      const second = await create(run);
      out.resumed = await finish(second, async () => {
        if (into === 'stepped') {
          // Two steps with other gradients first: the restore must replace all of that state.
          const other = run.x0.map((x) => Float64Array.from(x, (v, c) => 0.25 - 0.5 * v + 0.125 * c));
          for (let t = 0; t < 2; t++) await second.step(other);
        }
        await second.restore(state, params);
        return steps(second, run, k, run.steps.length);
      });
      return out;
    },
    scheduleValues: (config: ScheduleConfig, t) => scheduleValues(adapter, config, t, guardOptions),
  };
  return io;
}
