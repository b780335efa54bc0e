import type { ConformanceReport, SubjectResult, Verdict } from '../conformance/types.js';
import { describeCounterexample } from './describe-counterexample.js';
import { findingIsProblem, firstProblem, subjectPassed } from './subject-outcome.js';

/** Options of {@link reportToConsole}. */
export interface ConsoleReportOptions {
  /** ANSI colours; the CLI turns them off for `--no-color`, `NO_COLOR` and non-TTY output. */
  color: boolean;
  /** Line width the table's last column is cut to (default 100). */
  width?: number;
  /** Only the one-line summary (`--quiet`). */
  quiet?: boolean;
}

type Paint = (code: number, text: string) => string;

const verdictColor: Record<Verdict, number> = { conforms: 32, deviates: 33, fails: 31, unsupported: 90, error: 35 };

/**
 * Adapter names and messages are untrusted: control characters (an ESC could
 * rewrite the terminal) become visible `\uXXXX`, line breaks become spaces.
 */
function sanitize(text: string): string {
  return text.replace(/\r\n|\r|\n|\t/g, ' ').replace(/\p{Cc}/gu, (ch) => `\\u${(ch.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);
}

function truncate(text: string, width: number): string {
  const chars = Array.from(text);
  return chars.length <= width ? text : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - Array.from(text).length));
}

function verdictLabel(result: SubjectResult, passed: boolean): string {
  return result.verdict === 'deviates' && passed ? 'deviates (accepted)' : result.verdict;
}

function summary(report: ConformanceReport, paint: Paint): string {
  const labels = report.results.map((r) => verdictLabel(r, subjectPassed(r, report.options.accepted)));
  const tally = ['conforms', 'deviates (accepted)', 'deviates', 'fails', 'error', 'unsupported']
    .map((label) => [label, labels.filter((l) => l === label).length] as const)
    .filter(([, n]) => n > 0)
    .map(([label, n]) => `${n} ${label}`)
    .join(', ');
  const status = report.passed ? paint(32, 'PASS') : paint(31, 'FAIL');
  const name = sanitize(report.adapter.name);
  const reason = report.reason === undefined ? '' : `; ${sanitize(report.reason)}`;
  return `${status} ${name} (${report.adapter.dtype}): ${tally || 'nothing checked'} in ${(report.durationMs / 1000).toFixed(1)} s, seed ${report.options.seed}${reason}`;
}

/**
 * The report as a readable console table (issue 4): subject, verdict, checks
 * passed, conventions and first problem, then the first problem of each failing subject
 * with its counterexample, then a one-line summary. No escape codes unless
 * `color` is set.
 */
export function reportToConsole(report: ConformanceReport, options: ConsoleReportOptions): string {
  const paint: Paint = options.color ? (code, text) => `\u001b[${code}m${text}\u001b[0m` : (_code, text) => text;
  if (options.quiet) return `${summary(report, paint)}\n`;
  const width = Math.max(40, options.width ?? 100);
  const accepted = report.options.accepted;
  const rows = report.results.map((r) => {
    const passed = subjectPassed(r, accepted);
    const problem = firstProblem(r, accepted);
    return {
      result: r,
      cells: [
        r.subject,
        verdictLabel(r, passed),
        r.verdict === 'unsupported' ? '' : `${r.findings.filter((f) => !findingIsProblem(f, accepted)).length}/${r.findings.length}`,
        r.conventions.join(', '),
        problem ? sanitize(`${problem.check}: ${problem.message}`) : '',
      ],
    };
  });
  const header = ['subject', 'verdict', 'checks', 'conventions', 'first problem'];
  const lastColumn = header.length - 1;
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => Array.from(r.cells[i]!).length)));
  const lead = widths.slice(0, lastColumn).reduce((a, b) => a + b + 2, 0);
  const last = Math.max(10, width - lead);
  const line = (cells: string[], colorize?: (i: number, text: string) => string): string =>
    cells
      .map((c, i) => {
        const text = i === lastColumn ? truncate(c, last) : pad(c, widths[i]!);
        return colorize ? colorize(i, text) : text;
      })
      .join('  ')
      .trimEnd();
  const out = [paint(1, line(header)), ...rows.map((r) => line(r.cells, (i, text) => (i === 1 ? paint(verdictColor[r.result.verdict], text) : text)))];
  for (const r of report.results) {
    if (subjectPassed(r, accepted)) continue;
    const problems = r.findings.filter((f) => findingIsProblem(f, accepted));
    const first = problems[0];
    out.push('', paint(verdictColor[r.verdict], `${r.subject}: ${r.verdict}`) + (problems.length > 1 ? ` (${problems.length} problems; all in --json)` : ''));
    if (!first) continue;
    out.push(`  ${sanitize(first.check)}: ${sanitize(first.message)}`);
    if (first.conventions?.length) out.push(`    conventions: ${first.conventions.join(', ')}`);
    if (first.counterexample) out.push(...describeCounterexample(first.counterexample).map((l) => `    ${sanitize(l)}`));
  }
  out.push('', summary(report, paint));
  return `${out.join('\n')}\n`;
}
