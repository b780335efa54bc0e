import type { ConformanceReport, Finding, SubjectResult, Verdict } from '../conformance/index.js';
import type { ConventionId } from '../reference/index.js';
import { describeBug } from './describe-bug.js';
import { describeCounterexample } from './describe-counterexample.js';
import { messageWithoutValues } from './message-without-values.js';
import { reportHints } from './hints.js';
import { type AdapterSource, reproductionSnippet } from './reproduce.js';
import { count as countOf } from './plural.js';
import { checksPassed, findingIsProblem, firstProblem, interruptedNote, subjectPassed } from './subject-outcome.js';

/** Options of {@link reportToConsole}. */
export interface ConsoleReportOptions {
  /** ANSI colours; the CLI turns them on for a terminal or `FORCE_COLOR`, off for `--no-color` and `NO_COLOR`. */
  color: boolean;
  /**
   * Terminal width: the table's last column and the one-line problems are cut to
   * it. Leave it out when the output is not a terminal (a pipe, a CI log): then
   * nothing is cut.
   */
  width?: number;
  /** Only the one-line summary (`--quiet`). */
  quiet?: boolean;
  /** Every problem in full (`--verbose`); otherwise the first per subject in full and the others one line each. */
  verbose?: boolean;
  /** The command that re-runs a check from its `replay` token (the CLI knows how the adapter was given); else `--replay <token>`. */
  replayCommand?: (token: string) => string;
  /** How the adapter was given: the code that re-runs a counterexample by hand loads it from there. */
  adapterSource?: AdapterSource;
}

type Paint = (code: number, text: string) => string;

const verdictColor: Record<Verdict, number> = {
  conforms: 32,
  deviates: 33,
  fails: 31,
  unsupported: 90,
  error: 35,
  interrupted: 34,
};

/**
 * Adapter names and messages are untrusted: control characters (an ESC could
 * rewrite the terminal) become visible `\uXXXX`, line breaks become spaces.
 */
function sanitize(text: string): string {
  return text
    .replace(/\r\n|\r|\n|\t/g, ' ')
    .replace(/\p{Cc}/gu, (ch) => `\\u${(ch.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);
}

/**
 * {@link sanitize} for a message printed in full: its line breaks are kept (a child's
 * stderr tail, a traceback, a syntax error's caret), each further line indented under it.
 */
function sanitizeLines(text: string, indent: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => sanitize(line))
    .join(`\n${indent}`);
}

function truncate(text: string, width: number | undefined): string {
  if (width === undefined) return text;
  const chars = Array.from(text);
  return chars.length <= width ? text : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - Array.from(text).length));
}

function verdictLabel(result: SubjectResult, passed: boolean): string {
  if (result.verdict === 'deviates' && passed) return 'deviates (accepted)';
  if (result.verdict === 'fails' && result.bug !== undefined) return `fails (${result.bug})`;
  if (result.verdict === 'interrupted' && result.interrupted !== undefined)
    return `interrupted (${result.interrupted})`;
  return result.verdict;
}

/** `adam: fails, known bug ascent; otherwise follows lr-placement` / `adagrad: deviates by epsilon-inside-sqrt`. */
function verdictHeading(result: SubjectResult, accepted: readonly ConventionId[]): string {
  const conventions = result.conventions.join(', ');
  if (result.verdict === 'deviates') {
    const unaccepted = result.conventions.filter((id) => !accepted.includes(id));
    return `${result.subject}: deviates by ${conventions}${unaccepted.length < result.conventions.length ? ` (not accepted: ${unaccepted.join(', ')})` : ''}`;
  }
  if (result.verdict === 'fails') {
    return `${result.subject}: fails${result.bug === undefined ? '' : `, ${describeBug(result.bug)}`}${conventions ? `; otherwise follows ${conventions}` : ''}`;
  }
  if (result.verdict === 'interrupted') return `${result.subject}: ${interruptedNote(result)}`;
  return `${result.subject}: ${result.verdict}`;
}

function summary(report: ConformanceReport, paint: Paint): string {
  const labels = report.results.map((r) => {
    const label = verdictLabel(r, subjectPassed(r, report.options.accepted));
    return label.startsWith('fails') ? 'fails' : label.startsWith('interrupted') ? 'interrupted' : label;
  });
  const tally = ['conforms', 'deviates (accepted)', 'deviates', 'fails', 'error', 'interrupted', 'unsupported']
    .map((label) => [label, labels.filter((l) => l === label).length] as const)
    .filter(([, n]) => n > 0)
    // The verdicts are verbs ("2 fails"); `error` is the one noun among them.
    .map(([label, n]) => (label === 'error' ? countOf(n, 'error') : `${n} ${label}`))
    .join(', ');
  const status = report.passed ? paint(32, 'PASS') : paint(31, 'FAIL');
  const name = sanitize(report.adapter.name);
  const reason = report.reason === undefined ? '' : `; ${sanitize(report.reason)}`;
  const precision = [
    report.adapter.dtype,
    ...(report.adapter.arithmetic === undefined ? [] : [report.adapter.arithmetic]),
  ];
  return `${status} ${name} (${precision.join(', ')}): ${tally || 'nothing checked'} in ${(report.durationMs / 1000).toFixed(1)} s, seed ${report.options.seed}${reason}`;
}

/**
 * A problem finding in full: check and message, conventions or bug, then the counterexample once, its replay
 * command, and the code that re-runs it by hand.
 */
function fullFinding(
  finding: Finding,
  replayCommand: (token: string) => string,
  source: AdapterSource | undefined,
): string[] {
  const message = messageWithoutValues(finding);
  const lines = [`  ${sanitize(finding.check)}: ${sanitizeLines(message, '    ')}`];
  const unnamed = (finding.conventions ?? []).filter((id) => !message.includes(id));
  if (unnamed.length) lines.push(`    conventions: ${(finding.conventions ?? []).join(', ')}`);
  if (finding.bug !== undefined) lines.push(`    ${describeBug(finding.bug)}`);
  const replay = finding.replay === undefined ? undefined : replayCommand(finding.replay);
  if (finding.counterexample)
    lines.push(...describeCounterexample(finding.counterexample, replay).map((l) => `    ${sanitize(l)}`));
  else if (replay !== undefined) lines.push(`    replay: ${sanitize(replay)}`);
  const snippet =
    finding.counterexample === undefined ? undefined : reproductionSnippet(finding.counterexample, source);
  if (snippet !== undefined)
    lines.push(
      '    by hand (paste into a .mjs file beside the adapter, run it with node):',
      ...snippet.map((l) => `      ${sanitize(l)}`),
    );
  return lines;
}

/**
 * A problem as one line under its subject: the message without the values, and
 * without "explained by <conventions>: " when the subject's heading already names
 * exactly those conventions (35 repetitions of it hide what differs between the lines).
 */
function oneLine(finding: Finding, result: SubjectResult): string {
  const message = messageWithoutValues(finding);
  const same = finding.status === 'explained' && (finding.conventions ?? []).join() === result.conventions.join();
  return same ? message.replace(/^explained by [^:]*: /, '') : message;
}

/**
 * The one-line problems, each `check: message`, except that three or more golden-fixture
 * problems of one subject and dtype in a row become one line naming their cases
 * (`fixture:adam/float64: 19 golden fixtures: open/tiny-0, ...`): their messages differ
 * only by the case, which the check already names.
 */
export function groupedLines(findings: readonly Finding[], result: SubjectResult): string[] {
  const lines: string[] = [];
  const groupOf = (f: Finding) =>
    /^golden fixture \(/.test(oneLine(f, result)) ? /^(fixture:[^/]+\/[^/]+)\/(.+)$/.exec(f.check) : null;
  for (let k = 0; k < findings.length; ) {
    const head = groupOf(findings[k]!);
    let end = k + 1;
    while (head !== null && end < findings.length && groupOf(findings[end]!)?.[1] === head[1]) end++;
    if (head !== null && end - k >= 3) {
      const cases = findings.slice(k, end).map((f) => groupOf(f)![2]);
      lines.push(`${head[1]}: ${end - k} golden fixtures: ${cases.join(', ')}`);
    } else for (const f of findings.slice(k, end)) lines.push(`${f.check}: ${oneLine(f, result)}`);
    k = end;
  }
  return lines;
}

/**
 * The report as a readable console table: subject, verdict, checks passed,
 * conventions and first problem; then per failing subject its first problem in
 * full (expected and actual once, one number format, and the code that re-runs it by
 * hand) and the others one line each (all in full with `verbose`); hints (the `--accept`
 * that would pass, a dtype mismatch) sit under the table; a one-line summary ends it. No escape codes unless `color` is set;
 * nothing cut unless `width` is given.
 */
export function reportToConsole(report: ConformanceReport, options: ConsoleReportOptions): string {
  const paint: Paint = options.color ? (code, text) => `\u001b[${code}m${text}\u001b[0m` : (_code, text) => text;
  if (options.quiet) return `${summary(report, paint)}\n`;
  const width = options.width === undefined ? undefined : Math.max(40, options.width);
  const accepted = report.options.accepted;
  const replayCommand = options.replayCommand ?? ((token: string) => `--replay ${token}`);
  const rows = report.results.map((r) => {
    const passed = subjectPassed(r, accepted);
    const problem = firstProblem(r, accepted);
    return {
      result: r,
      cells: [
        r.subject,
        verdictLabel(r, passed),
        r.verdict === 'unsupported' ? '' : checksPassed(r, accepted),
        r.conventions.join(', '),
        problem ? sanitize(`${problem.check}: ${messageWithoutValues(problem)}`) : '',
      ],
    };
  });
  const header = ['subject', 'verdict', 'checks', 'conventions', 'first problem'];
  const lastColumn = header.length - 1;
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => Array.from(r.cells[i]!).length)));
  const lead = widths.slice(0, lastColumn).reduce((a, b) => a + b + 2, 0);
  const last = width === undefined ? undefined : Math.max(10, width - lead);
  const line = (cells: string[], colorize?: (i: number, text: string) => string): string =>
    cells
      .map((c, i) => {
        const text = i === lastColumn ? truncate(c, last) : pad(c, widths[i]!);
        return colorize ? colorize(i, text) : text;
      })
      .join('  ')
      .trimEnd();
  const out = [
    paint(1, line(header)),
    ...rows.map((r) => line(r.cells, (i, text) => (i === 1 ? paint(verdictColor[r.result.verdict], text) : text))),
  ];
  // The hints right under the table: what to do next is on the first screen, above the problems in full.
  const hints = reportHints(report);
  if (hints.length) out.push('', ...hints.map((h) => `${paint(36, 'hint:')} ${h}`));
  for (const r of report.results) {
    if (subjectPassed(r, accepted)) continue;
    const problems = r.findings.filter((f) => findingIsProblem(f, accepted));
    const first = firstProblem(r, accepted);
    const count = problems.length > 1 ? ` (${problems.length} problems)` : '';
    out.push('', paint(verdictColor[r.verdict], sanitize(verdictHeading(r, accepted))) + count);
    if (!first) continue;
    out.push(...fullFinding(first, replayCommand, options.adapterSource));
    const rest = problems.filter((f) => f !== first);
    if (options.verbose) {
      for (const f of rest) out.push(...fullFinding(f, replayCommand, options.adapterSource));
    } else {
      for (const text of groupedLines(rest, r)) out.push(truncate(`  ${sanitize(text)}`, width));
      if (rest.length) out.push(`  (--verbose prints each in full; --json has every counterexample)`);
    }
  }
  out.push('', summary(report, paint));
  return `${out.join('\n')}\n`;
}
