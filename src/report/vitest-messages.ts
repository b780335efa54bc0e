import type { Finding, SubjectResult } from '../conformance/index.js';
import type { ConventionId } from '../reference/index.js';
import { groupedLines } from './console.js';
import { describeBug } from './describe-bug.js';
import { describeCounterexample } from './describe-counterexample.js';
import { messageWithoutValues } from './message-without-values.js';
import { findingIsProblem, firstProblem, interruptedNote, subjectPassed } from './subject-outcome.js';

/** A finding in full: check, status and message, the known bug, then the counterexample with -0, NaN and the infinities kept. */
function describeFinding(finding: Finding): string {
  const lines = [`${finding.check}: ${finding.status}: ${messageWithoutValues(finding)}`];
  if (finding.conventions?.length) lines.push(`  conventions: ${finding.conventions.join(', ')}`);
  if (finding.bug !== undefined) lines.push(`  ${describeBug(finding.bug)}`);
  const replay =
    finding.replay === undefined ? undefined : `describeConformance(adapter, { replay: '${finding.replay}' })`;
  if (finding.counterexample)
    lines.push(...describeCounterexample(finding.counterexample, replay).map((l) => `  ${l}`));
  else if (replay !== undefined) lines.push(`  replay: ${replay}`);
  return lines.join('\n');
}

/** The verdict in words, as the console prints it: `adam: fails, known bug ...; otherwise follows lr-placement`. */
function describeVerdict(r: SubjectResult, accepted: readonly ConventionId[]): string {
  const conventions = r.conventions.join(', ');
  if (r.verdict === 'deviates') {
    const missing = r.conventions.filter((id) => !accepted.includes(id));
    return `${r.subject}: deviates by ${conventions}; pass accept: [${[...new Set([...accepted, ...missing])].map((id) => `'${id}'`).join(', ')}] if your implementation means to follow ${missing.length > 1 ? 'them' : 'it'} (docs/conventions.md)`;
  }
  if (r.verdict === 'fails')
    return `${r.subject}: fails${r.bug === undefined ? '' : `, ${describeBug(r.bug)}`}${conventions ? `; otherwise follows ${conventions}` : ''}`;
  if (r.verdict === 'interrupted') return `${r.subject}: ${interruptedNote(r)}`;
  return `${r.subject}: ${r.verdict}`;
}

/**
 * The subject's verdict test's message: the verdict, then every problem one line each (golden-fixture repeats on
 * one line), the first pointing at its own test, where it is in full.
 */
function verdictMessage(r: SubjectResult, accepted: readonly ConventionId[], first: Finding | undefined): string {
  const problems = r.findings.filter((f) => findingIsProblem(f, accepted));
  const lines = [`${describeVerdict(r, accepted)}${problems.length > 1 ? ` (${problems.length} problems)` : ''}`];
  if (first !== undefined)
    lines.push(
      `  ${first.check}: ${messageWithoutValues(first)} (in full under "${r.subject}: first problem in full")`,
      ...groupedLines(
        problems.filter((f) => f !== first),
        r,
      ).map((l) => `  ${l}`),
    );
  return lines.join('\n');
}

/**
 * What the vitest binding's two tests of a failing subject say, undefined when it passes: `verdict`, the verdict and
 * every problem one line each; `first`, the first problem in full with its counterexample.
 */
export function subjectFailureMessages(
  result: SubjectResult,
  accepted: readonly ConventionId[],
): { verdict: string; first?: string } | undefined {
  if (subjectPassed(result, accepted)) return undefined;
  const first = firstProblem(result, accepted);
  return {
    verdict: verdictMessage(result, accepted, first),
    ...(first === undefined ? {} : { first: describeFinding(first) }),
  };
}
