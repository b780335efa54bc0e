/**
 * What `--html` costs (issue 12: "written in under 1 s extra and under 2 MB"):
 * a full check of the reference in both dtypes, then reportToHtml on its report,
 * timed in a fresh process (so vega's import, when a chart needs it, is counted),
 * and the page's size. Also, for scale, a check of the planted `ascent` and
 * `epsilon-inside-sqrt` adapters, whose pages carry charts. Timings on a shared
 * machine are noisy: the report's time is printed next to the check's own.
 *
 * Run: npm run bench:html
 */
import { referenceAdapter } from '../src/adapter/contract.js';
import { checkConformance } from '../src/conformance/check.js';
import type { Adapter } from '../src/index.js';
import { reportToHtml } from '../src/report/html.js';
import { handwritten } from '../spec/support/planted/handwritten.js';

const LIMIT_MS = 1000;
const LIMIT_BYTES = 2 * 1024 * 1024;

const adapters: [string, Adapter, boolean][] = [
  ['reference float64', referenceAdapter({ dtype: 'float64' }), true],
  ['reference float32', referenceAdapter({ dtype: 'float32' }), true],
  ['planted ascent', handwritten({ name: 'ascent', declared: 'float64', bug: 'ascent' }), false],
  [
    'planted epsilon-inside-sqrt',
    handwritten({ name: 'eps', declared: 'float64', conventions: { 'epsilon-inside-sqrt': true } }),
    false,
  ],
];

let ok = true;
console.log('adapter                         check ms   html ms   html bytes   charts');
for (const [label, adapter, judged] of adapters) {
  const t0 = performance.now();
  const report = await checkConformance(adapter, { seed: 1 });
  const t1 = performance.now();
  const html = await reportToHtml(report);
  const t2 = performance.now();
  const bytes = Buffer.byteLength(html);
  const charts = (html.match(/<svg[^>]*role="img"/g) ?? []).length;
  const within = t2 - t1 < LIMIT_MS && bytes < LIMIT_BYTES;
  if (judged && !within) ok = false;
  console.log(
    `${label.padEnd(30)} ${(t1 - t0).toFixed(0).padStart(9)} ${(t2 - t1).toFixed(0).padStart(9)} ${String(bytes).padStart(12)} ${String(charts).padStart(8)}${judged ? (within ? '   within 1 s, 2 MB' : '   OVER the limit') : ''}`,
  );
}
process.exitCode = ok ? 0 : 1;
