import { fileURLToPath } from 'node:url';
import { beforeAll, describe, it } from 'vitest';
import type { Adapter } from './adapter/index.js';
import { checkConformance, plannedChecks } from './conformance/index.js';
import {
  type ConformanceOptions,
  decodeReplay,
  type Finding,
  type SubjectResult,
  validateConformanceOptions,
} from './conformance/index.js';
import { describeBug, describeCounterexample, interruptedNote, messageWithoutValues } from './report/index.js';

/** Options of {@link describeConformance}: those of `checkConformance`, plus the vitest timeout of each subject's run. */
export interface DescribeConformanceOptions extends Omit<ConformanceOptions, 'onProgress'> {
  /** Milliseconds for one subject's whole check (its `beforeAll`); default 120 s. */
  subjectTimeoutMs?: number;
}

/**
 * A failing conformance check, as vitest shows it: the checker's own message and
 * counterexample (no boolean diff), with a stack that starts at the
 * `describeConformance` call in the user's spec file, not inside optimspec.
 */
export class ConformanceCheckError extends Error {
  override readonly name = 'ConformanceCheckError';
  constructor(message: string, callSite: string) {
    super(message);
    this.stack = `${this.name}: ${message}\n${callSite}`;
  }
}

/** This module's own file (src/vitest.ts, or dist/vitest.js when installed): its frames are left out of a failure's stack. */
const ownFile = fileURLToPath(import.meta.url);

/** The stack frames of the caller of `describeConformance`, the user's spec file first. */
function callSite(): string {
  const lines = (new Error().stack ?? '').split('\n').slice(1);
  return lines.filter((l) => !l.includes(ownFile) && !l.includes(import.meta.url)).join('\n');
}

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
function describeVerdict(r: SubjectResult, accepted: readonly string[]): string {
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

function isProblem(f: Finding, accepted: readonly string[]): boolean {
  return (
    f.status === 'fail' ||
    f.status === 'error' ||
    (f.status === 'explained' && !(f.conventions ?? []).every((id) => accepted.includes(id)))
  );
}

/**
 * Registers the conformance check of `adapter` as vitest tests: one `describe`
 * per supported optimizer and schedule, a test for its verdict, and one test per
 * check (fixture case, probe, drawn run, immutability, law). Each subject is
 * checked once, lazily, in a `beforeAll`, so the call itself is synchronous and
 * needs no top-level await:
 *
 * ```ts
 * // my-optimizer.spec.ts
 * import { describeConformance } from 'optimspec/vitest';
 * import adapter from './my-adapter.js';
 * describeConformance(adapter, { seed: 1, accept: ['epsilon-inside-sqrt'] });
 * ```
 *
 * A check passes when it passed, or when a convention in `accept` explains it;
 * a failing one fails with the checker's message and counterexample. Bad options
 * throw at once with `checkConformance`'s messages. The seed is fixed when none
 * is given, so the test names are stable.
 */
export function describeConformance(adapter: Adapter, options: DescribeConformanceOptions = {}): void {
  const site = callSite();
  try {
    validateConformanceOptions(adapter, options);
  } catch (error) {
    // The same error and message as checkConformance's, pointing at the caller's line rather than into optimspec.
    if (error instanceof Error) error.stack = `${error.name}: ${error.message}\n${site}`;
    throw error;
  }
  // A replay token (a finding's `replay`) names one check, with its subject, seed and runs.
  const replay = options.replay === undefined ? undefined : decodeReplay(options.replay);
  const seed = replay?.seed ?? options.seed ?? 20170418;
  const accepted: readonly string[] = options.accept ?? [];
  const planned =
    replay !== undefined
      ? new Map([[replay.subject, [replay.check]]])
      : plannedChecks(adapter, {
          seed,
          ...(options.only === undefined ? {} : { only: options.only }),
          ...(options.runs === undefined ? {} : { runs: options.runs }),
        });
  const { subjectTimeoutMs = 120_000, ...rest } = options;
  describe(`optimspec conformance: ${adapter.name} (${adapter.dtype})`, () => {
    if (planned.size === 0) {
      it('has something to check', () => {
        const asked = options.only === undefined ? '' : ` (only: ${JSON.stringify(options.only)})`;
        throw new ConformanceCheckError(
          `nothing to check: the adapter supports none of the requested optimizers and schedules${asked}; it declares optimizers ${JSON.stringify(adapter.optimizers)} and schedules ${JSON.stringify(adapter.schedules ?? [])}`,
          site,
        );
      });
    }
    for (const [subject, checks] of planned) {
      describe(subject, () => {
        let result: SubjectResult | undefined;
        /** Why no result came: `options.signal` aborted before this subject started. */
        let missing = '';
        beforeAll(async () => {
          const report = await checkConformance(adapter, { ...rest, seed, only: [subject] });
          result = report.results[0];
          missing = `${subject} was not checked: ${report.reason ?? 'no result'}`;
        }, subjectTimeoutMs);
        it('verdict', () => {
          if (result === undefined) throw new ConformanceCheckError(missing, site);
          const r = result;
          const ok =
            r.verdict === 'conforms' ||
            (r.verdict === 'deviates' && r.conventions.every((id) => accepted.includes(id)));
          if (ok) return;
          const first =
            r.findings.find((f) => f.status === 'fail' || f.status === 'error') ??
            r.findings.find((f) => isProblem(f, accepted));
          const count = r.findings.filter((f) => isProblem(f, accepted)).length;
          const detail =
            first === undefined
              ? ''
              : `\nfirst of ${count} problem${count === 1 ? '' : 's'}:\n${describeFinding(first)}`;
          throw new ConformanceCheckError(`${describeVerdict(r, accepted)}${detail}`, site);
        });
        for (const check of checks) {
          it(check, (context) => {
            if (result === undefined) throw new ConformanceCheckError(missing, site);
            const finding = result.findings.find((f) => f.check === check);
            if (finding === undefined) {
              const skipped = result.findings.find((f) => f.check === 'skipped');
              throw new ConformanceCheckError(
                skipped?.message ?? `${check} did not run (verdict ${result.verdict})`,
                site,
              );
            }
            if (isProblem(finding, accepted)) throw new ConformanceCheckError(describeFinding(finding), site);
            // The checker skipped it (the adapter refused a configuration it needs): say so rather than pass.
            if (finding.status === 'skipped') context.skip(finding.message);
          });
        }
      });
    }
  });
}
