import type { ConformanceReport, Finding, SubjectResult, Verdict } from '../conformance/index.js';
import { describeBug } from './describe-bug.js';
import { describeCounterexample } from './describe-counterexample.js';
import { messageWithoutValues } from './message-without-values.js';
import { reportHints } from './hints.js';
import { checksPassed, findingIsProblem, firstProblem, interruptedNote, subjectPassed } from './subject-outcome.js';

/** Problem findings listed per failing subject; the JSON report has all of them. */
const MAX_DETAILS = 20;

const mark: Record<Verdict, string> = {
  conforms: '✅',
  deviates: '🟡',
  fails: '❌',
  unsupported: '➖',
  error: '💥',
  interrupted: '⏹️',
};

/**
 * Escapes untrusted text (adapter names and messages) for inline Markdown:
 * HTML-special characters become entities, the punctuation that is Markdown
 * syntax mid-line is backslash-escaped, and line breaks become spaces so a table row stays one row.
 */
function inline(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~]/g, '\\$&')
    .replace(/\r\n|\r|\n/g, ' ');
}

/** A fenced block longer than any backtick run in the text, so the text cannot close it. */
function fenced(text: string): string {
  const longest = Math.max(0, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}text\n${text}\n${fence}`;
}

function verdictText(result: SubjectResult, passed: boolean): string {
  const accepted = result.verdict === 'deviates' && passed ? ' (accepted)' : '';
  const bug = result.verdict === 'fails' && result.bug !== undefined ? ` (known bug \`${result.bug}\`)` : '';
  const by =
    result.verdict === 'interrupted' && result.interrupted !== undefined ? ` (${inline(result.interrupted)})` : '';
  return `${mark[result.verdict]} ${result.verdict}${accepted}${bug}${by}`;
}

function row(report: ConformanceReport, result: SubjectResult): string {
  const accepted = report.options.accepted;
  const passed = subjectPassed(result, accepted);
  const problem = firstProblem(result, accepted);
  const cells = [
    `\`${result.subject}\``,
    verdictText(result, passed),
    result.conventions.map((c) => `\`${c}\``).join(', '),
    result.verdict === 'unsupported' ? '' : checksPassed(result, accepted),
    problem ? `${inline(problem.check)}: ${inline(messageWithoutValues(problem))}` : '',
  ];
  return `| ${cells.join(' | ')} |`;
}

function detail(finding: Finding): string {
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
  return `**${inline(finding.check)}** (${finding.status})\n\n${fenced(lines.join('\n'))}`;
}

function details(report: ConformanceReport, result: SubjectResult): string {
  const problems = result.findings.filter((f) => findingIsProblem(f, report.options.accepted));
  const shown = problems.slice(0, MAX_DETAILS).map(detail);
  if (problems.length > MAX_DETAILS)
    shown.push(`…and ${problems.length - MAX_DETAILS} more problems (see the JSON report).`);
  if (result.verdict === 'interrupted') shown.unshift(`${inline(interruptedNote(result))}.`);
  else if (shown.length === 0) shown.push(`Verdict ${result.verdict} with no failing finding.`);
  const bug =
    result.verdict === 'fails' && result.bug !== undefined ? `, known bug \`${result.bug}\` (cannot be accepted)` : '';
  const otherwise =
    result.verdict === 'fails' && result.conventions.length
      ? `; otherwise follows ${result.conventions.map((c) => `\`${c}\``).join(', ')}`
      : '';
  return [
    `### ${mark[result.verdict]} \`${result.subject}\`: ${result.verdict}${bug}${otherwise}`,
    '',
    shown.join('\n\n'),
  ].join('\n');
}

/**
 * The report as GitHub-flavoured Markdown for `$GITHUB_STEP_SUMMARY`:
 * a summary table, then the problem findings of each failing subject with their
 * counterexamples. Adapter-supplied text is escaped so it cannot break the table.
 */
export function reportToMarkdown(report: ConformanceReport): string {
  const { adapter, options } = report;
  const failing = report.results.filter((r) => !subjectPassed(r, options.accepted));
  const head = `## optimspec check: ${report.passed ? '✅ passed' : '❌ failed'}: ${inline(adapter.name)} (${adapter.dtype})`;
  const meta = [
    `optimspec ${inline(report.optimspec.version)}`,
    `runs ×${options.runs}`,
    `seed ${options.seed}`,
    `accepted: ${options.accepted.length ? options.accepted.map((c) => `\`${c}\``).join(', ') : 'none'}`,
    `${(report.durationMs / 1000).toFixed(1)} s`,
  ].join(' · ');
  const table = [
    '| Subject | Verdict | Conventions | Checks passed | First problem |',
    '|---|---|---|---|---|',
    ...report.results.map((r) => row(report, r)),
  ].join('\n');
  const parts = report.reason === undefined ? [head, meta, table] : [head, `**${inline(report.reason)}**`, meta, table];
  if (failing.length) parts.push(...failing.map((r) => details(report, r)));
  const hints = reportHints(report);
  if (hints.length) parts.push(['**Hints**', '', ...hints.map((h) => `- ${inline(h)}`)].join('\n'));
  return `${parts.join('\n\n')}\n`;
}
