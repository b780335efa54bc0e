import type { Finding, SubjectResult } from '../conformance/types.js';
import type { ConventionId } from '../types.js';

/**
 * Whether one subject counts as passing for the exit code and the report
 * formats (issue 4): `conforms` and `unsupported` pass, `deviates` passes only
 * when every convention it follows is accepted, `fails` and `error` never do.
 */
export function subjectPassed(result: SubjectResult, accepted: readonly ConventionId[]): boolean {
  switch (result.verdict) {
    case 'conforms':
    case 'unsupported':
      return true;
    case 'deviates':
      return result.conventions.every((id) => accepted.includes(id));
    default:
      return false;
  }
}

/**
 * Whether a finding is a problem given the accepted conventions: `fail` and
 * `error` always, `explained` unless every convention explaining it is accepted.
 */
export function findingIsProblem(finding: Finding, accepted: readonly ConventionId[]): boolean {
  if (finding.status === 'fail' || finding.status === 'error') return true;
  if (finding.status === 'explained') return !(finding.conventions ?? []).every((id) => accepted.includes(id));
  return false;
}

/**
 * The finding a reader should see first for a subject: the first `fail` or
 * `error`, else the first unaccepted `explained` one, else none.
 */
export function firstProblem(result: SubjectResult, accepted: readonly ConventionId[]): Finding | undefined {
  return (
    result.findings.find((f) => f.status === 'fail' || f.status === 'error') ??
    result.findings.find((f) => findingIsProblem(f, accepted))
  );
}
