import { interruptionName } from '../adapter/index.js';
import type { Finding, SubjectResult } from './types.js';

/** Errors met once the run was interrupted: the interruption's doing, not the adapter's, and left out of the report. */
const lostToInterruption = new WeakSet<Finding>();

/**
 * Whether a finding just made is an error the interruption caused (`signal` had aborted); then it is remembered
 * as such. It stays among the subject's findings while the subject runs (an error ends its checks early), and
 * {@link afterInterruption} drops it.
 */
export function lostTo(signal: AbortSignal | undefined, finding: Finding): boolean {
  if (finding.status !== 'error' || signal?.aborted !== true) return false;
  lostToInterruption.add(finding);
  return true;
}

/**
 * A subject's result once the run may have been interrupted. Unchanged if no check of it met the interruption
 * (it had finished, or was between calls). Else the errors the interruption caused are dropped, and the verdict
 * is `interrupted`, with the findings made before it: an interrupted check says nothing about the
 * implementation. An `error` found before the interruption stays `error`.
 */
export function afterInterruption(result: SubjectResult, signal: AbortSignal | undefined): SubjectResult {
  if (signal?.aborted !== true) return result;
  const findings = result.findings.filter((f) => !lostToInterruption.has(f));
  if (findings.length === result.findings.length) return result;
  const { subject } = result;
  if (findings.some((f) => f.status === 'error')) return { subject, verdict: 'error', conventions: [], findings };
  return { subject, verdict: 'interrupted', interrupted: interruptionName(signal), conventions: [], findings };
}
