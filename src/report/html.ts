import type { ConformanceReport, Finding, SubjectResult, Trace, Verdict } from '../conformance/index.js';
import { describeCounterexample, formatNumber } from './describe-counterexample.js';
import { count } from './plural.js';
import { findingIsProblem, firstProblem, interruptedNote, subjectPassed } from './subject-outcome.js';
import { messageWithoutValues, uniformNumbers } from './message-without-values.js';
import { scheduleChartSpec } from './schedule-chart.js';
import { type ChartSpec, traceChartSpecs } from './trace-charts.js';
import { absoluteError, summarizeTrace, type TraceSummary } from './trace-summary.js';
import { renderVegaLiteSvg } from './vega-svg.js';
import { escapeXmlAttribute as attr, escapeXmlText as text } from './xml-escape.js';

/**
 * Problem findings per subject drawn as charts; the rest are shown as text.
 * Each chart costs ~50 to 100 ms to render and ~50 kB, and an implementation
 * that fails one check usually fails dozens alike (every fixture case).
 */
export const MAX_CHARTED_PER_SUBJECT = 3;

/** Options of {@link reportToHtml}. */
export interface HtmlReportOptions {
  /**
   * The adapter as `optimspec check` was given it (`./my-adapter.mjs`, `--exec 'python3 a.py'`),
   * so that the replay lines are whole commands; without it they are the flags alone (`--replay <token>`).
   */
  adapterArgument?: string;
}

/** Problem findings per subject shown in full; all checks are listed in the subject's table. */
const MAX_DETAILS = 20;

/** Steps of a trace shown in the numbers table: the first ones, around the crossing, and the last. */
const TABLE_HEAD_STEPS = 12;

const mark: Record<Verdict, string> = {
  conforms: '✓',
  deviates: '≈',
  fails: '✗',
  unsupported: '–',
  error: '!',
  interrupted: '■',
};
const statusMark: Record<Finding['status'], string> = {
  pass: '✓',
  fail: '✗',
  error: '!',
  explained: '≈',
  skipped: '–',
};

const STYLE = `
body { font: 15px/1.45 system-ui, sans-serif; color: #111; background: #fff; margin: 0; }
main { max-width: 1100px; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.5rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #ccc; } h3 { margin-top: 1.75rem; }
h4 { margin: 1.25rem 0 .25rem; font-size: 1rem; }
table { border-collapse: collapse; margin: .5rem 0; font-size: .9rem; }
th, td { border: 1px solid #bbb; padding: .2rem .5rem; text-align: left; vertical-align: top; }
td.num { font-family: ui-monospace, monospace; text-align: right; white-space: nowrap; }
thead th { background: #eee; }
.verdict { font-weight: 600; white-space: nowrap; }
.v-conforms { color: #1a6b1a; } .v-deviates { color: #8a5a00; } .v-fails { color: #b00020; } .v-error { color: #7b1fa2; } .v-unsupported { color: #555; } .v-interrupted { color: #1f4e9e; }
.s-fail, .s-error { color: #b00020; } .s-explained { color: #8a5a00; }
pre { background: #f6f6f6; border: 1px solid #ddd; padding: .5rem; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
figure { margin: .75rem 0; overflow-x: auto; } figcaption { font-size: .85rem; color: #333; max-width: 60rem; }
svg { max-width: none; height: auto; }
article.finding { border-left: 4px solid #ccc; padding-left: .75rem; margin: 1rem 0; }
details > summary { cursor: pointer; }
.meta { color: #333; }
`;

function verdictLabel(result: SubjectResult, passed: boolean): string {
  if (result.verdict === 'interrupted' && result.interrupted !== undefined)
    return `interrupted (${result.interrupted})`;
  return result.verdict === 'deviates' && passed ? 'deviates (accepted)' : result.verdict;
}

function verdictCell(result: SubjectResult, passed: boolean): string {
  return `<span class="verdict v-${result.verdict}">${mark[result.verdict]} ${text(verdictLabel(result, passed))}</span>`;
}

/** The numbers behind the charts, for readers who cannot see them and for exact values. */
function numbersTable(summary: TraceSummary): string {
  const { trace } = summary;
  const wanted = new Set<number>();
  for (let s = 1; s <= Math.min(summary.steps, TABLE_HEAD_STEPS); s++) wanted.add(s);
  for (const crossing of summary.crossings) {
    if (!summary.coordinates.includes(crossing.coordinate)) continue;
    for (let s = crossing.row - 1; s <= crossing.row + 1; s++) if (s >= 1 && s <= summary.steps) wanted.add(s);
  }
  if (summary.steps > 0) wanted.add(summary.steps);
  const steps = [...wanted].sort((a, b) => a - b);
  const head = [
    'step',
    'coordinate',
    'reference',
    'adapter',
    ...(trace.convention ? ['convention'] : []),
    '|adapter − reference|',
    'derived bound',
  ];
  const rows: string[] = [];
  let previous = 0;
  for (const step of steps) {
    const o = summary.offset;
    if (step > previous + 1)
      rows.push(
        `<tr><td colspan="${head.length}">… steps ${previous + 1 + o} to ${step - 1 + o} (in the JSON report)</td></tr>`,
      );
    previous = step;
    for (const c of summary.coordinates) {
      const cells = [
        trace.expected[step - 1]?.[c],
        trace.actual[step - 1]?.[c],
        ...(trace.convention ? [trace.convention[step - 1]?.[c]] : []),
        absoluteError(trace.actual[step - 1]?.[c], trace.expected[step - 1]?.[c]),
        trace.bound[step - 1]?.[c],
      ].map((v) => `<td class="num">${v === undefined ? '' : text(formatNumber(v))}</td>`);
      rows.push(`<tr><td class="num">${step + o}</td><td>x[${c}]</td>${cells.join('')}</tr>`);
    }
  }
  const lr = trace.learningRates
    ? `<p>Learning rate per step: ${text(trace.learningRates.map(formatNumber).join(', '))}</p>`
    : '';
  return `<details><summary>The numbers (${count(summary.steps, 'step')}, ${count(summary.coordinates.length, 'coordinate')} shown)</summary>${lr}<table><thead><tr>${head
    .map((h) => `<th scope="col">${text(h)}</th>`)
    .join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></details>`;
}

/** A page-unique id from the running chart count. */
interface Counter {
  charts: number;
}

async function charts(finding: Finding, trace: Trace, result: SubjectResult, counter: Counter): Promise<string> {
  const summary = summarizeTrace(trace, finding.counterexample?.coordinate);
  if (summary.steps === 0 || summary.coordinates.length === 0) return '';
  const specs = traceChartSpecs(
    summary,
    `${result.subject}, ${finding.check}`,
    finding.conventions ?? result.conventions,
    finding.counterexample?.x0,
  );
  const figures: string[] = [];
  for (const chart of specs) figures.push(await figure(chart, counter));
  return figures.join('') + numbersTable(summary);
}

/** The commands of a report: the CLI's (with the adapter as it was given) or, without it, the bare flags. */
interface Commands {
  replay(token: string): string;
  rerun(subject: string, seed: number): string;
}

function commandsOf(options: HtmlReportOptions): Commands {
  const check = options.adapterArgument === undefined ? undefined : `npx optimspec check ${options.adapterArgument}`;
  return {
    replay: (token) => (check === undefined ? `--replay ${token}` : `${check} --replay ${token}`),
    rerun: (subject, seed) => `${check ?? ''} --only ${subject} --seed ${seed}`.trim(),
  };
}

function counterexampleText(
  finding: Finding,
  report: ConformanceReport,
  result: SubjectResult,
  commands: Commands,
): string {
  const lines = [messageWithoutValues(finding)];
  if (finding.conventions?.length) lines.push(`conventions: ${finding.conventions.join(', ')}`);
  if (finding.bug) lines.push(`known bug: ${finding.bug}`);
  const replay = finding.replay === undefined ? undefined : commands.replay(finding.replay);
  if (finding.counterexample) lines.push(...describeCounterexample(finding.counterexample, replay));
  else if (replay !== undefined) lines.push(`replay: ${replay}`);
  if (replay === undefined) lines.push(`re-run: ${commands.rerun(result.subject, report.options.seed)}`);
  return `<pre>${text(lines.join('\n'))}</pre>`;
}

/** A chart without a numbers table (the schedule's numbers are in the counterexample text). */
async function figure(chart: ChartSpec, counter: Counter): Promise<string> {
  counter.charts++;
  const id = `chart-${counter.charts}`;
  return `<figure class="chart">${await renderVegaLiteSvg(chart.spec, id, chart.text)}<figcaption>${text(chart.text.description)}</figcaption></figure>`;
}

/** What a problem finding can be drawn as: its trace, or for a schedule its values over t. */
function drawable(finding: Finding, result: SubjectResult): 'trace' | ChartSpec | undefined {
  const c = finding.counterexample;
  if (c?.trace) return 'trace';
  return c ? scheduleChartSpec(c, `${result.subject}, ${finding.check}`) : undefined;
}

async function problemFinding(
  finding: Finding,
  index: number,
  report: ConformanceReport,
  result: SubjectResult,
  plot: boolean,
  counter: Counter,
  commands: Commands,
): Promise<string> {
  const trace = finding.counterexample?.trace;
  const kind = plot ? drawable(finding, result) : undefined;
  let pictures = '';
  if (kind === 'trace' && trace) pictures = await charts(finding, trace, result, counter);
  else if (kind !== undefined && kind !== 'trace') pictures = await figure(kind, counter);
  return [
    `<article class="finding" id="${attr(`${anchor(result)}-p${index}`)}">`,
    `<h4><span class="s-${finding.status}">${statusMark[finding.status]} ${text(finding.status)}</span>: ${text(finding.check)}</h4>`,
    pictures,
    `<p><strong>Counterexample and replay</strong></p>`,
    counterexampleText(finding, report, result, commands),
    '</article>',
  ].join('\n');
}

function anchor(result: SubjectResult): string {
  return `subject-${result.subject.replace(/[^a-z0-9-]/gi, '-')}`;
}

function checksTable(result: SubjectResult): string {
  if (result.findings.length === 0) return '';
  const rows = result.findings.map(
    (f) =>
      `<tr><td>${text(f.check)}</td><td class="s-${f.status}">${statusMark[f.status]} ${text(f.status)}</td><td>${text(uniformNumbers(f.message))}</td></tr>`,
  );
  return `<details><summary>${result.findings.length === 1 ? 'The 1 check' : `All ${result.findings.length} checks`} of ${text(result.subject)}</summary><table><thead><tr><th scope="col">check</th><th scope="col">status</th><th scope="col">message</th></tr></thead><tbody>${rows.join('')}</tbody></table></details>`;
}

async function subjectSection(
  report: ConformanceReport,
  result: SubjectResult,
  counter: Counter,
  commands: Commands,
): Promise<string> {
  const accepted = report.options.accepted;
  const passed = subjectPassed(result, accepted);
  const conventions = result.conventions.length ? ` (${result.conventions.join(', ')})` : '';
  const bug = result.bug ? `; known bug ${result.bug}` : '';
  const out = [
    `<section id="${attr(anchor(result))}">`,
    `<h3>${text(result.subject)}: ${verdictCell(result, passed)}${text(conventions + bug)}</h3>`,
  ];
  if (result.verdict === 'interrupted') out.push(`<p>${text(interruptedNote(result))}.</p>`);
  const problems = result.findings.filter(
    (f) => f.status === 'fail' || f.status === 'error' || f.status === 'explained',
  );
  let charted = 0;
  for (const [i, finding] of problems.slice(0, MAX_DETAILS).entries()) {
    const plot = charted < MAX_CHARTED_PER_SUBJECT && drawable(finding, result) !== undefined;
    if (plot) charted++;
    out.push(await problemFinding(finding, i, report, result, plot, counter, commands));
  }
  const withPictures = problems.filter((f) => drawable(f, result) !== undefined).length;
  if (withPictures > charted)
    out.push(
      `<p>Charts are drawn for the first ${charted} of the ${count(withPictures, 'problem')} that can be drawn; the others are listed as text.</p>`,
    );
  if (problems.length > MAX_DETAILS)
    out.push(
      `<p>…and ${count(problems.length - MAX_DETAILS, 'more problem')}, listed in the table below and in the JSON report.</p>`,
    );
  out.push(checksTable(result), '</section>');
  return out.join('\n');
}

function verdictTable(report: ConformanceReport): string {
  const accepted = report.options.accepted;
  const rows = report.results.map((r) => {
    const passed = subjectPassed(r, accepted);
    const ok = r.findings.filter((f) => !findingIsProblem(f, accepted)).length;
    const problem = firstProblem(r, accepted);
    return `<tr><th scope="row"><a href="#${attr(anchor(r))}">${text(r.subject)}</a></th><td>${verdictCell(r, passed)}</td><td>${text(r.conventions.join(', '))}</td><td class="num">${
      r.verdict === 'unsupported' ? '' : `${ok}/${r.findings.length}`
    }</td><td>${problem ? text(`${problem.check}: ${messageWithoutValues(problem)}`) : ''}</td></tr>`;
  });
  return `<table class="verdicts"><caption>Verdict per optimizer and schedule</caption><thead><tr><th scope="col">subject</th><th scope="col">verdict</th><th scope="col">conventions</th><th scope="col">checks passed</th><th scope="col">first problem</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/**
 * The report as one self-contained HTML page (docs/html-report.md): the verdict table,
 * each subject's checks, and for failing and deviating runs the trajectory and
 * error-against-bound charts (Vega-Lite rendered to inline SVG now, so the page
 * has no script and loads nothing: its Content-Security-Policy forbids it), the
 * numbers behind each chart as a table, and the counterexample as text.
 * Adapter-supplied text is escaped. Deterministic: the same report gives the same page.
 * Numbers are in the console's format; the replay commands name the adapter when
 * `options.adapterArgument` says how it was given.
 */
export async function reportToHtml(report: ConformanceReport, htmlOptions: HtmlReportOptions = {}): Promise<string> {
  const { adapter, options } = report;
  const counter: Counter = { charts: 0 };
  const commands = commandsOf(htmlOptions);
  const sections: string[] = [];
  for (const result of report.results) sections.push(await subjectSection(report, result, counter, commands));
  const status = report.passed ? 'passed' : 'failed';
  const meta = [
    `optimspec ${report.optimspec.version}`,
    `runs ×${options.runs}`,
    `seed ${options.seed}`,
    `accepted: ${options.accepted.length ? options.accepted.join(', ') : 'none'}`,
    `${(report.durationMs / 1000).toFixed(1)} s`,
  ].join(' · ');
  const title = `optimspec check: ${status}: ${adapter.name} (${adapter.dtype})`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${text(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${text(title)}</h1>
<p class="meta">${text(meta)}</p>
${report.reason === undefined ? '' : `<p><strong>${text(report.reason)}</strong></p>\n`}<h2>Verdicts</h2>
${verdictTable(report)}
<p>Verdicts: ✓ conforms, ≈ deviates by a named convention, ✗ fails, ! error, ■ interrupted, – unsupported. Each failing or deviating subject below shows its problems; the first ${MAX_CHARTED_PER_SUBJECT} runs of each are drawn.</p>
<h2>Subjects</h2>
${sections.join('\n')}
</main>
</body>
</html>
`;
}
