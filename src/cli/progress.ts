import type { ConformanceOptions } from '../conformance/types.js';

/** Where progress goes: the CLI's stderr. */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

/** Progress output of one check run. */
export interface Progress {
  onProgress: NonNullable<ConformanceOptions['onProgress']>;
  /** Clears the live line; call before printing the report. */
  done(): void;
}

/** Redraws of the live line at most this often, so that progress never costs measurable time. */
const REDRAW_MS = 100;

/**
 * Progress on stderr while a check runs (issue 4: "with progress while it
 * runs"): a live, redrawn line on a terminal; on a pipe or CI log one line per
 * subject as it starts; nothing with `--quiet`.
 */
export function createProgress(stream: ProgressStream, quiet: boolean, now: () => number = Date.now): Progress {
  let subject: string | undefined;
  let checks = 0;
  let problems = 0;
  let lastDraw = Number.NEGATIVE_INFINITY;
  let drawn = false;
  if (quiet) return { onProgress: () => {}, done: () => {} };
  if (stream.isTTY !== true) {
    return {
      onProgress(event) {
        if (event.subject === subject) return;
        subject = event.subject;
        stream.write(`optimspec: checking ${subject}\n`);
      },
      done: () => {},
    };
  }
  return {
    onProgress(event) {
      if (event.subject !== subject) {
        subject = event.subject;
        checks = 0;
        problems = 0;
        lastDraw = Number.NEGATIVE_INFINITY;
      }
      checks++;
      if (event.status === 'fail' || event.status === 'error') problems++;
      const t = now();
      if (t - lastDraw < REDRAW_MS) return;
      lastDraw = t;
      drawn = true;
      const check = event.check.replace(/\p{Cc}/gu, '?').slice(0, 60);
      stream.write(`\r\u001b[K  checking ${subject}: ${checks} checks${problems ? `, ${problems} failing` : ''}  ${check}`);
    },
    done() {
      if (drawn) stream.write('\r\u001b[K');
      drawn = false;
    },
  };
}
