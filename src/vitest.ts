import { beforeAll, describe, expect, it } from 'vitest';
import type { Adapter } from './adapter.js';
import { checkConformance, plannedChecks } from './conformance/check.js';
import type { ConformanceOptions, Finding, SubjectResult } from './conformance/types.js';

/** Options of {@link describeConformance}: those of `checkConformance`, plus the vitest timeout of each subject's run. */
export interface DescribeConformanceOptions extends Omit<ConformanceOptions, 'onProgress'> {
  /** Milliseconds for one subject's whole check (its `beforeAll`); default 120 s. */
  subjectTimeoutMs?: number;
}

function describeFinding(finding: Finding): string {
  const counterexample = finding.counterexample === undefined ? '' : `\ncounterexample: ${JSON.stringify(finding.counterexample)}`;
  return `${finding.check}: ${finding.status}: ${finding.message}${counterexample}`;
}

/**
 * Registers the conformance check of `adapter` as vitest tests (issue 4: "a
 * vitest binding that users drop into their own test suite so each check is a
 * test"): one `describe` per supported optimizer and schedule, a test for its
 * verdict, and one test per check (fixture case, probe, drawn run,
 * immutability). Each subject is checked once, lazily, in a `beforeAll`, so the
 * call itself is synchronous and needs no top-level await:
 *
 * ```ts
 * // my-optimizer.spec.ts
 * import { describeConformance } from 'optimspec/vitest';
 * import adapter from './my-adapter.js';
 * describeConformance(adapter, { seed: 1, accept: ['epsilon-inside-sqrt'] });
 * ```
 *
 * A check passes when it passed, or when a convention in `accept` explains it.
 * The seed is fixed when none is given, so the test names are stable.
 */
export function describeConformance(adapter: Adapter, options: DescribeConformanceOptions = {}): void {
  const seed = options.seed ?? 20170418;
  const accepted = options.accept ?? [];
  const planned = plannedChecks(adapter, { seed, ...(options.only === undefined ? {} : { only: options.only }), ...(options.runs === undefined ? {} : { runs: options.runs }) });
  const { subjectTimeoutMs = 120_000, ...rest } = options;
  describe(`optimspec conformance: ${adapter.name} (${adapter.dtype})`, () => {
    for (const [subject, checks] of planned) {
      describe(subject, () => {
        let result: SubjectResult | undefined;
        beforeAll(async () => {
          const report = await checkConformance(adapter, { ...rest, seed, only: [subject] });
          result = report.results[0];
        }, subjectTimeoutMs);
        it('verdict', () => {
          const r = result!;
          const ok = r.verdict === 'conforms' || (r.verdict === 'deviates' && r.conventions.every((id) => accepted.includes(id)));
          expect(ok, `${subject}: ${r.verdict}${r.conventions.length ? ` (${r.conventions.join(', ')})` : ''}`).toBe(true);
        });
        for (const check of checks) {
          it(check, () => {
            const finding = result!.findings.find((f) => f.check === check);
            const skipped = result!.findings.find((f) => f.check === 'skipped');
            expect(finding, skipped?.message ?? `${check} did not run`).toBeDefined();
            const f = finding!;
            // skipped: the implementation refused the configuration as unsupported; that says nothing against it.
            const ok = f.status === 'pass' || f.status === 'skipped' || (f.status === 'explained' && (f.conventions ?? []).every((id) => accepted.includes(id)));
            expect(ok, describeFinding(f)).toBe(true);
          });
        }
      });
    }
  });
}
