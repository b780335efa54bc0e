import type { Adapter } from '../adapter/index.js';
import { LONG_HORIZON_CHECK, plannedChecks } from '../conformance/index.js';
import type { ConformanceOptions, Replay } from '../conformance/index.js';
import { count } from '../report/index.js';

/** Where progress goes: the CLI's stderr. */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  /** The terminal's width; lines are clipped to it so that they never wrap (a wrapped line cannot be redrawn in place). */
  columns?: number;
}

/** Progress output of one check run. */
export interface Progress {
  onProgress: NonNullable<ConformanceOptions['onProgress']>;
  /** Clears the live line; call before printing the report. */
  done(): void;
}

/** How progress is drawn. */
export interface ProgressOptions {
  /** Checks per subject, known before running (`plannedChecks`): the bar's total. */
  totals?: ReadonlyMap<string, number> | undefined;
  /** ANSI colours on the bar (src/cli/color.ts decides). */
  color?: boolean;
  now?: () => number;
}

/** Redraws of the live line at most this often, so that progress never costs measurable time. */
const REDRAW_MS = 100;
/** Width of the bar in cells. */
const BAR = 24;

function clip(text: string, columns: number | undefined): string {
  if (columns === undefined || columns <= 1) return text;
  const chars = Array.from(text);
  // One column short of the width: a line that fills the last column wraps on some terminals.
  return chars.length < columns ? text : chars.slice(0, columns - 1).join('');
}

/**
 * Progress on stderr while a check runs. On a terminal, a bar per subject with
 * checks done / total and the elapsed time, redrawn in place and clipped to the
 * terminal's width; a finished subject's bar stays, one line each. On a pipe or
 * a CI log, one plain line per subject as it starts. Nothing with `quiet`.
 */
export function createProgress(stream: ProgressStream, quiet: boolean, options: ProgressOptions = {}): Progress {
  const now = options.now ?? Date.now;
  const totals = options.totals ?? new Map<string, number>();
  const paint = options.color
    ? (code: number, text: string) => `\u001b[${code}m${text}\u001b[0m`
    : (_code: number, text: string) => text;
  if (quiet) return { onProgress: () => {}, done: () => {} };
  if (stream.isTTY !== true) {
    let subject: string | undefined;
    return {
      onProgress(event) {
        if (event.subject === subject) return;
        subject = event.subject;
        const total = totals.get(subject);
        stream.write(`optimspec: checking ${subject}${total === undefined ? '' : ` (${count(total, 'check')})`}\n`);
      },
      done: () => {},
    };
  }
  const width = Math.max(...[...totals.keys()].map((s) => s.length), 8);
  let subject: string | undefined;
  let checks = 0;
  let problems = 0;
  let started = now();
  let lastDraw = Number.NEGATIVE_INFINITY;
  /** A live (unfinished) line is on the screen. */
  let live = false;
  /** When the last check ended: the next subject starts then, and an unfinished subject ends then. */
  let lastEvent = started;
  const draw = (final: boolean, at: number): void => {
    const total = totals.get(subject!);
    const elapsed = `${((at - started) / 1000).toFixed(1)} s`;
    // "differ", not "failing": a difference may still be explained by a convention once the subject is diagnosed.
    const failing = problems ? `  ${paint(33, `${problems} differ`)}` : '';
    let line: string;
    if (total !== undefined && total > 0) {
      const filled = Math.min(BAR, Math.round((BAR * checks) / total));
      const bar = paint(problems ? 33 : 32, '█'.repeat(filled)) + '░'.repeat(BAR - filled);
      line = `  ${subject!.padEnd(width)}  ${bar}  ${String(checks).padStart(String(total).length)}/${total}  ${elapsed}${failing}`;
    } else line = `  ${subject!.padEnd(width)}  ${count(checks, 'check')}  ${elapsed}${failing}`;
    // Clipping counts the escape codes too, which only clips earlier: never a wrapped line.
    stream.write(`\r\u001b[K${clip(line, stream.columns)}${final ? '\n' : ''}`);
    live = !final;
  };
  return {
    onProgress(event) {
      const t = now();
      if (event.subject !== subject) {
        if (live) draw(true, lastEvent);
        started = lastEvent;
        subject = event.subject;
        checks = 0;
        problems = 0;
        lastDraw = Number.NEGATIVE_INFINITY;
      }
      checks++;
      if (event.status === 'fail' || event.status === 'error') problems++;
      lastEvent = t;
      const total = totals.get(subject);
      if (total !== undefined && checks === total) {
        draw(true, t);
        return;
      }
      if (t - lastDraw < REDRAW_MS) return;
      lastDraw = t;
      draw(false, t);
    },
    done() {
      if (live) stream.write('\r\u001b[K');
      live = false;
    },
  };
}

/**
 * Checks per subject before running, the bars' totals (they depend on the
 * adapter's dtype, `only` and `runs`, not on the seed); none when the adapter's
 * declaration cannot be planned (the check itself then reports why). With
 * `replay`, only what the replayed check runs: that check, or for `immutability`
 * every scenario with it (it watches them all; not the laws or the long runs), with the token's own `runs`.
 */
export function plannedTotals(
  adapter: Adapter,
  only: readonly string[] | undefined,
  runs: number | undefined,
  largeVector?: number,
  replay?: Replay,
): Map<string, number> | undefined {
  try {
    const large = replay === undefined ? largeVector : replay.largeVector;
    const planned = plannedChecks(adapter, {
      seed: replay?.seed ?? 0,
      ...(replay !== undefined ? { only: [replay.subject] } : only === undefined ? {} : { only }),
      ...(replay !== undefined ? { runs: replay.runs } : runs === undefined ? {} : { runs }),
      ...(large === undefined ? {} : { largeVector: large }),
    });
    const runsOf = (checks: readonly string[]): number =>
      replay === undefined
        ? checks.length
        : checks.filter((c) =>
            replay.check === 'immutability' ? !c.startsWith('law:') && c !== LONG_HORIZON_CHECK : c === replay.check,
          ).length;
    return new Map([...planned].map(([subject, checks]) => [subject, runsOf(checks)]));
  } catch {
    return undefined;
  }
}
