import type { Subject } from '../laws/index.js';
import type { Adapter } from '../adapter/index.js';
import type { GuardedAdapter, GuardOptions } from './guard.js';
import { lostTo } from './interruption.js';
import type { Replay } from './replay.js';
import type { ConformanceOptions, Finding } from './types.js';

/** What every stage of one check reads; set once when the check starts, never changed. */
export interface CheckContext {
  adapter: Adapter;
  /** The adapter behind the guard: every call copied, validated and timed (src/conformance/guard.ts). */
  guard: GuardedAdapter;
  /** The guard's limits, for the calls over several tensors (src/conformance/tensor-guard.ts) made under the same ones. */
  guardOptions: GuardOptions;
  seed: number;
  runs: number;
  onProgress: NonNullable<ConformanceOptions['onProgress']> | undefined;
  /** The run's interruption (`options.signal`): an error met once it aborted is not reported as progress. */
  signal?: AbortSignal;
  /** Set when re-running one check (`options.replay`): only that check runs. */
  replay?: Replay;
  /** The length of the large-vector probe, when it runs (`options.largeVector`). */
  largeVector?: number;
}

/**
 * The progress callback of one subject: told each finding as it is made, with the status it was made with; an
 * error the run's interruption caused is marked so (src/conformance/interruption.ts) and not told.
 */
export function progressOf(ctx: CheckContext, subject: Subject): (finding: Finding) => void {
  return (finding) => {
    if (lostTo(ctx.signal, finding)) return;
    ctx.onProgress?.({ subject, check: finding.check, status: finding.status });
  };
}
