import {
  type Adapter,
  interruptionName,
  interruptionText,
  isMixed,
  isTensorSubject,
  resolvePrecision,
} from '../adapter/index.js';
import { allSubjects } from '../laws/index.js';
import { checkOptimizer } from './check-optimizer.js';
import { checkSchedule } from './check-schedule.js';
import { checkTensors } from './check-tensors.js';

import { conformanceFixtures } from './conformance-fixtures.js';
import type { CheckContext } from './context.js';
import { CONFORMANCE_DEFAULTS } from './defaults.js';
import { guardAdapter } from './guard.js';
import { afterInterruption } from './interruption.js';
import type { OptimizerName, ScheduleName } from '../reference/index.js';
import { decodeReplay, type Replay } from './replay.js';
import type { ConformanceOptions, ConformanceReport, SubjectResult } from './types.js';
import { validateConformanceOptions } from './validate-options.js';
import { optimspecVersion } from './version.js';

/** The reason of a report in which no subject was checked (the same text in every report and on the console). */
const NOTHING_CHECKED = 'nothing was checked: the adapter supports none of the requested optimizers and schedules';

/** The options with those a replay token fixes (its subject, seed, run count and probe length) taken from it. */
function replayed(options: ConformanceOptions, replay: Replay | undefined): ConformanceOptions {
  if (replay === undefined) return options;
  return {
    ...options,
    only: [replay.subject],
    seed: replay.seed,
    runs: replay.runs,
    ...(replay.largeVector === undefined ? {} : { largeVector: replay.largeVector }),
  };
}

/**
 * Checks an implementation against the lecture's rules and returns the report: per
 * supported optimizer and schedule a verdict, the conventions it follows, and one
 * finding per check. Never throws because of the adapter: every misbehaviour is an
 * `error` finding and the run goes on with the next subject.
 */
export async function checkConformance(adapter: Adapter, options: ConformanceOptions = {}): Promise<ConformanceReport> {
  const started = Date.now();
  validateConformanceOptions(adapter, options);
  const replay = options.replay === undefined ? undefined : decodeReplay(options.replay);
  options = replayed(options, replay);
  const seed = options.seed ?? (Date.now() ^ (Math.random() * 0x100000000)) | 0;
  const runs = options.runs ?? 1;
  const accepted = [...(options.accept ?? [])].sort();
  const guardOptions = {
    stepTimeoutMs: options.stepTimeoutMs ?? CONFORMANCE_DEFAULTS.stepTimeoutMs,
    deadline: started + (options.totalTimeoutMs ?? CONFORMANCE_DEFAULTS.totalTimeoutMs),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
  const ctx: CheckContext = {
    adapter,
    guard: guardAdapter(adapter, guardOptions),
    guardOptions,
    seed,
    runs,
    onProgress: options.onProgress,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(replay === undefined ? {} : { replay }),
    ...(options.largeVector === undefined ? {} : { largeVector: options.largeVector }),
  };
  const subjects = allSubjects().filter((s) => options.only === undefined || options.only.includes(s));
  const results: SubjectResult[] = [];
  const aborted = (): boolean => options.signal?.aborted === true;
  for (const subject of subjects) {
    // A subject the interruption reached before it started is left out of the report.
    if (aborted()) break;
    await options.beforeSubject?.(subject);
    if (aborted()) break;
    const t0 = Date.now();
    const result = afterInterruption(
      isTensorSubject(subject)
        ? await checkTensors(ctx, subject, results)
        : subject.startsWith('schedule:')
          ? await checkSchedule(ctx, subject.slice('schedule:'.length) as ScheduleName)
          : await checkOptimizer(ctx, subject as OptimizerName, results),
      options.signal,
    );
    results.push({ ...result, durationMs: Date.now() - t0 });
  }
  const interrupted = options.signal?.aborted === true ? interruptionName(options.signal) : undefined;
  if (
    replay !== undefined &&
    interrupted === undefined &&
    !results.some((r) => r.findings.some((f) => f.check === replay.check))
  ) {
    throw new RangeError(
      `options.replay: ${JSON.stringify(replay.check)} is not a check of ${replay.subject} for this adapter (${adapter.dtype}, ${[...adapter.optimizers, ...(adapter.schedules ?? []).map((s) => `schedule:${s}`)].join(', ') || 'nothing'}): replay it against the implementation that printed it`,
    );
  }
  // Nothing checked is not a pass: a misconfigured adapter must not pass CI silently.
  const checked = results.some((r) => r.verdict !== 'unsupported');
  const passed =
    interrupted === undefined &&
    checked &&
    results.every(
      (r) =>
        r.verdict === 'conforms' ||
        r.verdict === 'unsupported' ||
        (r.verdict === 'deviates' && r.conventions.every((id) => accepted.includes(id))),
    );
  const first = conformanceFixtures().optimizers[0];
  const reportOptions: ConformanceReport['options'] = { runs, seed, accepted };
  if (options.only !== undefined) reportOptions.only = [...options.only];
  return {
    optimspec: { version: optimspecVersion() },
    adapter: {
      name: String(adapter.name),
      dtype: adapter.dtype,
      ...(isMixed(adapter) ? { precision: resolvePrecision(adapter) } : {}),
      ...(adapter.arithmetic === undefined || adapter.arithmetic === 'ieee754'
        ? {}
        : { arithmetic: adapter.arithmetic }),
    },
    fixtures: { provenance: first === undefined ? {} : { ...first.provenance } },
    options: reportOptions,
    results,
    passed,
    ...(interrupted !== undefined
      ? { reason: `${interruptionText(interrupted)}: the results are partial`, interrupted }
      : checked
        ? {}
        : { reason: NOTHING_CHECKED }),
    durationMs: Date.now() - started,
  };
}
