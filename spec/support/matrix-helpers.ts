import type { Adapter, Stepper } from '../../src/adapter/contract.js';
import type { ConformanceReport, SubjectResult } from '../../src/conformance/types.js';
import { isUnsupported } from '../../src/adapter/unsupported.js';
import type { OptimizerConfig } from '../../src/reference/types.js';

/** One subject's result in a report; throws when the report has none. */
export function resultOf(report: ConformanceReport, subject: string): SubjectResult {
  const r = report.results.find((x) => x.subject === subject);
  if (r === undefined) throw new Error(`no result for ${subject}`);
  return r;
}

/** An instance of the adapter's optimizer, for configurations the library never refuses. */
export async function instance(of: Adapter, config: OptimizerConfig, x0: number[]): Promise<Stepper> {
  const made = await of.create(config, Float64Array.from(x0));
  if (isUnsupported(made)) throw new Error(`refused: ${made.unsupported}`);
  return made;
}

/** A subject's verdict, conventions, bug and first failing or erring checks, for an assertion's message. */
export function explain(r: SubjectResult): string {
  return `${r.subject}: ${r.verdict} [${r.conventions.join(', ')}] ${r.bug ?? ''} ${r.findings
    .filter((f) => f.status === 'fail' || f.status === 'error')
    .slice(0, 3)
    .map((f) => `${f.check}: ${f.message}`)
    .join(' | ')}`;
}
