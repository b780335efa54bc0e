// What src/report/ offers the rest of src/: the console, JSON, JUnit, Markdown and HTML reports.
export { type ConsoleReportOptions, reportToConsole } from './console.js';
export { describeBug } from './describe-bug.js';
export { describeCounterexample } from './describe-counterexample.js';
export { type HtmlReportOptions, reportToHtml } from './html.js';
export { jsonWithNumbers, reportToJson } from './json.js';
export { reportToJUnit } from './junit.js';
export { reportToMarkdown } from './markdown.js';
export { messageWithoutValues } from './message-without-values.js';
export { count } from './plural.js';
export { interruptedNote } from './subject-outcome.js';
export { subjectFailureMessages } from './vitest-messages.js';
export { type AdapterSource, reproductionSnippet } from './reproduce.js';
