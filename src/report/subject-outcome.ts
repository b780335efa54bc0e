import { interruptionText } from '../adapter/index.js';
import type { Finding, SubjectResult } from '../conformance/index.js';
import type { ConventionId } from '../reference/index.js';

/**
 * Whether one subject counts as passing for the exit code and the report
 * formats: `conforms` and `unsupported` pass, `deviates` passes only
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
 * The check whose scenario shows each convention best (docs/conventions.md, "how
 * it shows"): a learning-rate change for `lr-placement`, tiny gradients for the
 * epsilon placements and the initial accumulator, ordinary gradients for the
 * first-step conventions, a non-finite input for `non-finite`, a tensor whose first
 * gradient arrives late for `global-step`.
 */
const ILLUSTRATION: Record<ConventionId, (check: string) => boolean> = {
  'lr-placement': (c) => c === 'probe:lr-changes',
  'epsilon-inside-sqrt': (c) => c === 'probe:tiny-gradients',
  'epsilon-hat': (c) => c === 'probe:tiny-gradients',
  'initial-accumulator': (c) => c === 'probe:tiny-gradients',
  'no-bias-correction': (c) => c === 'probe:ordinary',
  'dampened-momentum': (c) => c === 'probe:ordinary',
  'non-finite': (c) => c.includes('non-finite'),
  'global-step': (c) => c.endsWith('/late-first-gradient'),
};

/**
 * The finding a reader should see first for a subject: the first `fail` or
 * `error`; else the unaccepted `explained` one whose scenario illustrates its
 * convention (a deviation by `lr-placement` is shown by a learning-rate change,
 * not by whichever fixture happened to run first); else the first unaccepted
 * `explained` one; else none.
 */
export function firstProblem(result: SubjectResult, accepted: readonly ConventionId[]): Finding | undefined {
  const failed = result.findings.find((f) => f.status === 'fail' || f.status === 'error');
  if (failed) return failed;
  const problems = result.findings.filter((f) => findingIsProblem(f, accepted));
  const illustrating = problems.find((f) =>
    (f.conventions ?? []).some((id) => !accepted.includes(id) && ILLUSTRATION[id]?.(f.check)),
  );
  return illustrating ?? problems[0];
}

/**
 * `passed/total` checks of a subject, with `, n skipped` when the checker
 * skipped some (a skipped check neither passed nor failed, so it is not counted as passed).
 */
export function checksPassed(result: SubjectResult, accepted: readonly ConventionId[]): string {
  const skipped = result.findings.filter((f) => f.status === 'skipped').length;
  const passed = result.findings.filter((f) => f.status !== 'skipped' && !findingIsProblem(f, accepted)).length;
  return `${passed}/${result.findings.length}${skipped ? `, ${skipped} skipped` : ''}`;
}

/**
 * `interrupted by SIGINT after 12 checks; its other checks did not run`: what every report format says of
 * an `interrupted` subject (the findings it has are the checks made before the interruption).
 */
export function interruptedNote(result: SubjectResult): string {
  const n = result.findings.length;
  return `${interruptionText(result.interrupted ?? 'aborted')} after ${n} check${n === 1 ? '' : 's'}; its other checks did not run`;
}
