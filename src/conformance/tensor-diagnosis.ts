import type { TensorSubject } from '../adapter/index.js';
import type { Dtype, KnownBugId, OptimizerName } from '../reference/index.js';
import { DOWNCASTS, roundArrays } from './tensor-downcast.js';
import { conventionsOf, countsTensors, globalStep, matchesCounter } from './tensor-models.js';
import { firstPartingAll, genericValues, type Probe, type ProbeFailure, type ProbeIo } from './tensor-probe-kit.js';
import type { TensorRun, Trajectory } from './tensor-runs.js';
import type { Finding, SubjectResult } from './types.js';

/** A failing probe's run and what the diagnosis needs of it. */
export interface Failed {
  finding: Finding;
  rule: OptimizerName;
  probe: Probe;
  failure: ProbeFailure;
  xs: Trajectory;
}

/** What the diagnosis of a subject needs of its check: the dtype, the verdicts before it, a replay's diagnosis. */
export interface DiagnosisContext {
  adapter: { dtype: Dtype };
  results: readonly SubjectResult[];
  replay?: { named?: string };
}

/** Names what a subject's failures are: the convention `global-step`, or a known bug (docs/conventions.md). */
export async function diagnose(
  ctx: DiagnosisContext,
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
