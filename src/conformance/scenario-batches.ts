import { AdapterError, type Script, scriptInProgress, type ScriptOutcome } from '../adapter/index.js';
import type { Dtype } from '../reference/index.js';
import type { GuardedAdapter } from './guard.js';
import type { Replay } from './replay.js';
import { scenarioScript } from './run.js';
import type { Scenario } from './scenarios.js';

/**
 * The most scenarios sent in one batch (one script each, one round trip through a
 * worker): bounds the memory of a batch whatever `--runs` asks for.
 */
const SCENARIO_BATCH = 64;

/** A scenario and its place in the optimizer's scenario order. */
export interface Placed {
  scenario: Scenario;
  index: number;
}

/**
 * Scenarios sent together, their scripts, and the outcomes on their way: one per
 * script, or, when the batch itself failed, holes for the scenarios whose answers
 * that failure lost and the failure at the one that was running.
 */
export interface ScenarioBatch {
  batch: Placed[];
  scripts: Script[];
  outcomes: Promise<(ScriptOutcome | undefined)[]>;
}

/**
 * The scenarios of `stream` in batches that grow 1, 3, 12, 48, then
 * {@link SCENARIO_BATCH} at most, each one script per scenario and one round trip
 * through a worker: an implementation that fails at the first has made no call a
 * one-at-a-time run would not have. Each batch is sent when it is taken (`next()`),
 * so the caller takes the next while it judges this one (the worker and the
 * checker at once). A replay keeps only its own scenario (all, for `immutability`).
 */
export function* scenarioBatches(
  stream: Iterator<Scenario>,
  guard: GuardedAdapter,
  dtype: Dtype,
  replay: Replay | undefined,
): Generator<ScenarioBatch, void> {
  let size = 1;
  let index = -1;
  for (;;) {
    const batch: Placed[] = [];
    while (batch.length < size) {
      const next = stream.next();
      if (next.done === true) break;
      index++;
      if (replay !== undefined && replay.check !== next.value.id && replay.check !== 'immutability') continue;
      batch.push({ scenario: next.value, index });
    }
    if (batch.length === 0) return;
    const ahead = size > 1;
    size = Math.min(SCENARIO_BATCH, Math.max(3, 4 * size));
    const scripts = batch.map(({ scenario }) => scenarioScript(scenario, dtype));
    const outcomes = guard.runWatched(scripts, { ahead }).catch((error: unknown): (ScriptOutcome | undefined)[] => {
      if (!(error instanceof AdapterError)) throw error;
      // The batch itself failed (the worker ended, a call hung): the scenario that was running meets it.
      const at = Math.min(scriptInProgress(error) ?? 0, batch.length - 1);
      return [...Array.from({ length: at }, () => undefined), { ok: false, error, call: 0 }];
    });
    // A batch asked ahead and never read (the run stopped before it) is no unhandled rejection.
    outcomes.catch(() => undefined);
    yield { batch, scripts, outcomes };
  }
}
