/** An answer with `ok: true`; its other fields are checked by the caller. */
export type Answer = Record<string, unknown>;

/** How the child's process ended, as the relay thread reports it. */
export interface ChildExit {
  code: number | null;
  signal: string | null;
  error: string | null;
}

/**
 * One stdout line of the child read as an answer, with the snippet an error
 * quotes, or why the line breaks the protocol (not JSON, not an object, the
 * child's own report that it could not read a request).
 */
export function parseAnswerLine(line: string): { answer: Answer; snippet: string } | { fatal: string } {
  const snippet = line.length > 200 ? `${line.slice(0, 200)}...` : line;
  let message: unknown;
  try {
    message = JSON.parse(line);
  } catch {
    return {
      fatal: `it wrote a line to stdout that is not JSON: ${JSON.stringify(snippet)} (stdout is reserved for protocol answers; log to stderr)`,
    };
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message))
    return { fatal: `it wrote a line to stdout that is not a JSON object: ${JSON.stringify(snippet)}` };
  const answer = message as Answer;
  if (answer.id === null && answer.ok === false)
    return { fatal: `it could not read a request: ${String(answer.error)}` };
  return { answer, snippet };
}

/** Why the connection ends with the child's exit: closed by the checker, or the child's own end. */
export function exitReason(exit: ChildExit, closeRequested: boolean): string {
  const how =
    exit.error !== null
      ? `could not be started: ${exit.error}`
      : exit.signal !== null
        ? `was killed by signal ${exit.signal}`
        : `exited with status ${exit.code}`;
  return closeRequested ? `the adapter was closed (the child ${how})` : `the child ${how}`;
}
