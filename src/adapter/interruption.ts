// How an interrupted run names what stopped it, in every error of a call into the implementation and in the reports.

/**
 * What stopped a run, from its abort signal: the reason when it is a string (the CLI aborts with the signal's
 * name, `SIGINT` or `SIGTERM`), else the message of the reason (`AbortController.abort()` gives a DOMException).
 */
export function interruptionName(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (typeof reason === 'string' && reason !== '') return reason;
  if (reason instanceof Error && reason.message !== '') return reason.message;
  return 'aborted';
}

/** `interrupted by SIGINT` for a signal's name, `interrupted (<reason>)` otherwise: how errors and reports say it. */
export function interruptionText(name: string): string {
  return /^SIG[A-Z0-9]+$/.test(name) ? `interrupted by ${name}` : `interrupted (${name})`;
}
