import type { ConformanceReport, Finding, SubjectResult } from '../conformance/index.js';
import type { ConventionId } from '../reference/index.js';
import { describeBug } from './describe-bug.js';
import { describeCounterexample } from './describe-counterexample.js';
import { messageWithoutValues } from './message-without-values.js';
import { findingIsProblem, interruptedNote, subjectPassed } from './subject-outcome.js';
import { escapeXmlAttribute as attr, escapeXmlText as text } from './xml-escape.js';

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

function seconds(ms: number | undefined): string {
  return ((ms ?? 0) / 1000).toFixed(3);
}

function findingBody(finding: Finding): string {
  const lines = [messageWithoutValues(finding)];
  if (finding.conventions?.length) lines.push(`conventions: ${finding.conventions.join(', ')}`);
  if (finding.bug !== undefined) lines.push(describeBug(finding.bug));
  if (finding.counterexample)
    lines.push(
      ...describeCounterexample(
        finding.counterexample,
        finding.replay === undefined ? undefined : `--replay ${finding.replay}`,
      ),
    );
  return lines.join('\n');
}

function testcase(subject: string, finding: Finding, accepted: readonly ConventionId[], counts: Counts): string {
  counts.tests++;
  const open = `    <testcase name="${attr(finding.check)}" classname="${attr(`optimspec.${subject}`)}" time="0">`;
  if (finding.status === 'error') {
    counts.errors++;
    return `${open}\n      <error message="${attr(finding.message)}" type="error">${text(findingBody(finding))}</error>\n    </testcase>`;
  }
  if (finding.status === 'skipped') {
    counts.skipped++;
    return `${open}\n      <skipped message="${attr(finding.message)}"/>\n    </testcase>`;
  }
  if (findingIsProblem(finding, accepted)) {
    counts.failures++;
    const type = finding.status === 'explained' ? 'deviation' : 'failure';
    return `${open}\n      <failure message="${attr(finding.message)}" type="${type}">${text(findingBody(finding))}</failure>\n    </testcase>`;
  }
  if (finding.status === 'explained') {
    return `${open}\n      <system-out>${text(`accepted: ${findingBody(finding)}`)}</system-out>\n    </testcase>`;
  }
  return `    <testcase name="${attr(finding.check)}" classname="${attr(`optimspec.${subject}`)}" time="0"/>`;
}

/** `verdict deviates (epsilon-hat)`, `verdict fails, known bug ascent; otherwise follows lr-placement`. */
function verdictMessage(result: SubjectResult): string {
  const conventions = result.conventions.join(', ');
  if (result.verdict === 'fails') {
    return `verdict fails${result.bug === undefined ? '' : `, ${describeBug(result.bug)}`}${conventions ? `; otherwise follows ${conventions}` : ''}`;
  }
  return `verdict ${result.verdict}${conventions ? ` (${conventions})` : ''}`;
}

/** The subject-level testcase, for verdicts that no finding carries (unsupported, interrupted, or a verdict without a failing finding). */
function verdictCase(result: SubjectResult, passed: boolean, hasProblem: boolean, counts: Counts): string | undefined {
  const open = `    <testcase name="verdict" classname="${attr(`optimspec.${result.subject}`)}" time="0">`;
  if (result.verdict === 'unsupported' || result.verdict === 'interrupted') {
    counts.tests++;
    counts.skipped++;
    const why = result.verdict === 'unsupported' ? 'the adapter does not implement it' : interruptedNote(result);
    return `${open}\n      <skipped message="${attr(why)}"/>\n    </testcase>`;
  }
  if (passed || hasProblem) return undefined;
  counts.tests++;
  const message = verdictMessage(result);
  if (result.verdict === 'error') {
    counts.errors++;
    return `${open}\n      <error message="${attr(message)}" type="error"/>\n    </testcase>`;
  }
  counts.failures++;
  return `${open}\n      <failure message="${attr(message)}" type="failure"/>\n    </testcase>`;
}

function testsuite(report: ConformanceReport, result: SubjectResult, total: Counts): string {
  const accepted = report.options.accepted;
  const counts: Counts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  const passed = subjectPassed(result, accepted);
  const cases = result.findings.map((f) => testcase(result.subject, f, accepted, counts));
  const extra = verdictCase(
    result,
    passed,
    result.findings.some((f) => findingIsProblem(f, accepted)),
    counts,
  );
  if (extra !== undefined) cases.push(extra);
  for (const key of Object.keys(counts) as (keyof Counts)[]) total[key] += counts[key];
  const properties = [
    ['verdict', result.verdict],
    ['conventions', result.conventions.join(',')],
    ...(result.bug === undefined ? [] : [['bug', result.bug]]),
    ['adapter', report.adapter.name],
    ['dtype', report.adapter.dtype],
  ]
    .map(([name, value]) => `      <property name="${attr(name!)}" value="${attr(value!)}"/>`)
    .join('\n');
  return [
    `  <testsuite name="${attr(result.subject)}" tests="${counts.tests}" failures="${counts.failures}" errors="${counts.errors}" skipped="${counts.skipped}" time="${seconds(result.durationMs)}">`,
    `    <properties>\n${properties}\n    </properties>`,
    ...cases,
    '  </testsuite>',
  ].join('\n');
}

/**
 * The report as JUnit XML for CI test panels: one `<testsuite>` per
 * subject, one `<testcase>` per finding. A finding that is a problem under the
 * accepted conventions is a `<failure>` (an `<error>` when the adapter
 * misbehaved), with the message and the counterexample in its body; an
 * unsupported or interrupted subject is one skipped case, and so is an interrupted run.
 */
export function reportToJUnit(report: ConformanceReport): string {
  const total: Counts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  const suites = report.results.map((r) => testsuite(report, r, total));
  if (report.reason !== undefined && report.interrupted !== undefined) {
    // Stopped by a signal (the exit status says so): the run is a skipped case, for nothing in it went wrong.
    total.tests++;
    total.skipped++;
    suites.push(
      [
        `  <testsuite name="optimspec" tests="1" failures="0" errors="0" skipped="1" time="0">`,
        `    <testcase classname="optimspec" name="run"><skipped message="${attr(report.reason)}"/></testcase>`,
        '  </testsuite>',
      ].join('\n'),
    );
  } else if (report.reason !== undefined) {
    // The run failed as a whole (nothing was checked): one erroring case, so CI does not show it green.
    total.tests++;
    total.errors++;
    suites.push(
      [
        `  <testsuite name="optimspec" tests="1" failures="0" errors="1" skipped="0" time="0">`,
        `    <testcase classname="optimspec" name="run"><error message="${attr(report.reason)}"/></testcase>`,
        '  </testsuite>',
      ].join('\n'),
    );
  }
  const name = `optimspec check: ${report.adapter.name} (${report.adapter.dtype})`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${attr(name)}" tests="${total.tests}" failures="${total.failures}" errors="${total.errors}" skipped="${total.skipped}" time="${seconds(report.durationMs)}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
