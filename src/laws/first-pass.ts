import {
  type Adapter,
  adapterView,
  runScripts,
  runScriptsKey,
  type Script,
  type ScriptOutcome,
  type ScriptRunner,
  UnsupportedValue,
} from '../adapter/index.js';
import { sameBatch } from './same-batch.js';

/**
 * A law with at most this many runs makes them in two batches ({@link firstPass});
 * one with more (a large `--runs`) runs them one at a time through fast-check, which
 * bounds a batch's memory.
 */
export const BATCHED_RUNS = 512;

/** A run's first request as the first pass made it, and how it ended (or what its whole batch threw). */
export interface Answered {
  scripts: readonly Script[];
  answer: { outcomes: ScriptOutcome[] } | { thrown: unknown };
}

/** How the first pass ended: every run passed, or the first that did not, in run order, with what it threw. */
export type FirstPass<T> =
  | { status: 'pass' }
  | { status: 'fail'; at: number; input: T; error: unknown }
  | { status: 'refused'; error: UnsupportedValue };

/** One run of a law: its check of one input against the adapter it is given. */
type Run<T> = (adapter: Adapter, input: T) => Promise<void>;

/** The same adapter as a law's runs see it, with its requests going to `runner`. */
function viewWith(
  adapter: Adapter,
  runner: (scripts: readonly Script[]) => Promise<ScriptOutcome[]>,
): Adapter & ScriptRunner {
  const overrides: ScriptRunner = { [runScriptsKey]: runner };
  return adapterView(adapter, overrides);
}

/** A run of a batch that never got to the implementation (the batch stopped at an earlier run's adapter error). */
class NotRun {}

/** One batch of a first pass under way: its runs (each settles with what it threw, or undefined), and its answer's arrival. */
interface Launched {
  runs: Promise<unknown>[];
  arrived: Promise<void>;
}

/**
 * Starts the runs of `batch` together; each runs up to its first request, and
 * those requests go to the implementation as one batch, in run order. Later
 * requests of a run go as they come.
 */
async function launch<T>(run: Run<T>, adapter: Adapter, batch: readonly T[], answered: Answered[]): Promise<Launched> {
  const asked: (readonly Script[] | undefined)[] = batch.map(() => undefined);
  const replies: { resolve(o: ScriptOutcome[]): void; reject(e: unknown): void }[] = [];
  const replied = batch.map(
    () =>
      new Promise<ScriptOutcome[]>((resolve, reject) => {
        replies.push({ resolve, reject });
      }),
  );
  let reported = 0;
  let allReported!: () => void;
  const ready = new Promise<void>((resolve) => {
    allReported = resolve;
  });
  const report = (): void => {
    if (++reported === batch.length) allReported();
  };
  const runs = batch.map((input, k) => {
    let first = true;
    const view = viewWith(adapter, (scripts) => {
      if (!first) return runScripts(adapter, scripts);
      first = false;
      asked[k] = scripts;
      report();
      return replied[k]!;
    });
    return run(view, input)
      .then(
        () => undefined,
        (error: unknown) => error,
      )
      .finally(() => {
        if (!first) return;
        first = false;
        report();
      });
  });
  await ready;
  const order = batch.map((_, k) => k).filter((k) => asked[k] !== undefined);
  const arrived = runScripts(
    adapter,
    order.flatMap((k) => asked[k]!),
  ).then(
    (outcomes) => {
      let offset = 0;
      for (const k of order) {
        const share = outcomes.slice(offset, offset + asked[k]!.length);
        offset += asked[k]!.length;
        const complete =
          share.length === asked[k]!.length || share.some((o) => !o.ok && !(o.error instanceof UnsupportedValue));
        if (share.length > 0 && complete) {
          answered.push({ scripts: asked[k]!, answer: { outcomes: share } });
          replies[k]!.resolve(share);
        } else replies[k]!.reject(new NotRun());
      }
    },
    (error: unknown) => {
      // The batch itself failed (the worker ended, a call hung): the first run that asked meets that error.
      order.forEach((k, i) => {
        if (i === 0) answered.push({ scripts: asked[k]!, answer: { thrown: error } });
        replies[k]!.reject(i === 0 ? error : new NotRun());
      });
    },
  );
  return { runs, arrived };
}

/**
 * The runs fast-check would make, made here from the same draws, in two batches
 * ({@link launch}): the first run alone, then all the others. One round trip per
 * batch across a boundary (a worker, a child), instead of one per run.
 * An implementation that fails at the first run (most do) has made no call the
 * runs one at a time would not have made before the failure; one that fails later
 * has also made the other runs' first requests, and is shrunk in that state. It
 * runs the same way in-process, so both see the same calls in the same order.
 * `answered` receives each run's first request and answer, in run order.
 */
export async function firstPass<T>(
  run: Run<T>,
  adapter: Adapter,
  inputs: readonly T[],
  answered: Answered[],
): Promise<FirstPass<T>> {
  for (const from of [0, 1]) {
    if (from >= inputs.length) break;
    const batch = await launch(run, adapter, from === 0 ? inputs.slice(0, 1) : inputs.slice(1), answered);
    await batch.arrived;
    const results = await Promise.all(batch.runs);
    for (const [k, error] of results.entries()) {
      if (error === undefined) continue;
      if (error instanceof NotRun) break;
      return error instanceof UnsupportedValue
        ? { status: 'refused', error }
        : { status: 'fail', at: from + k, input: inputs[from + k]!, error };
    }
  }
  return { status: 'pass' };
}

/**
 * The adapter as fast-check's own pass sees it after a first pass that met a
 * refusal (fast-check then draws other inputs in its place): the i-th run's first
 * request is answered from the first pass when it is the same request, so that
 * nothing is asked twice; anything else, and everything after a mismatch or a
 * failure, goes to the implementation.
 */
export class Replayed {
  private cursor = 0;
  private live = false;
  /** The adapter to hand fast-check's runs. */
  readonly view: Adapter & ScriptRunner;

  constructor(
    private readonly adapter: Adapter,
    private readonly answered: readonly Answered[],
  ) {
    this.view = viewWith(adapter, (scripts) => this.answer(scripts));
  }

  /** Every later request goes to the implementation (a failure is shrunk in its state after it). */
  stop(): void {
    this.live = true;
  }

  private answer(scripts: readonly Script[]): Promise<ScriptOutcome[]> {
    const at = this.answered[this.cursor];
    if (this.live || at === undefined || !sameBatch(at.scripts, scripts)) {
      this.live = true;
      return runScripts(this.adapter, scripts);
    }
    this.cursor++;
    return 'thrown' in at.answer ? Promise.reject(at.answer.thrown) : Promise.resolve(at.answer.outcomes);
  }
}
