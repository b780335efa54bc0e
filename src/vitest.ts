import { fileURLToPath } from 'node:url';
import { beforeAll, describe, it } from 'vitest';
import type { Adapter } from './adapter/index.js';
import { checkConformance, plannedChecks } from './conformance/index.js';
import {
  type ConformanceOptions,
  decodeReplay,
  type SubjectResult,
  validateConformanceOptions,
} from './conformance/index.js';
import type { ConventionId } from './reference/index.js';
import { subjectFailureMessages } from './report/index.js';

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

/**
 * Registers the conformance check of `adapter` as vitest tests: one `describe`
 * per supported optimizer and schedule, with two tests, the subject in each title:
 * `adam: verdict`, which fails with the verdict and every problem one line each,
 * and `adam: first problem in full`, which fails with the first problem and its
 * counterexample (one failing test per check repeated the call's code frame dozens
 * of times). Each subject is checked once, lazily, in a `beforeAll`, so the call
 * itself is synchronous and needs no top-level await:
 *
 * ```ts
 * // my-optimizer.spec.ts
 * import { describeConformance } from 'optimspec/vitest';
 * import adapter from './my-adapter.js';
 * describeConformance(adapter, { seed: 1, accept: ['epsilon-inside-sqrt'] });
 * ```
 *
 * A subject passes when it conforms, or deviates only by conventions in `accept`. Bad options
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
  const accepted: readonly ConventionId[] = options.accept ?? [];
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
    for (const subject of planned.keys()) {
      describe(subject, () => {
        let result: SubjectResult | undefined;
        /** Why no result came: `options.signal` aborted before this subject started. */
        let missing = '';
        beforeAll(async () => {
          const report = await checkConformance(adapter, { ...rest, seed, only: [subject] });
          result = report.results[0];
          missing = `${subject} was not checked: ${report.reason ?? 'no result'}`;
        }, subjectTimeoutMs);
        it(`${subject}: verdict`, () => {
          if (result === undefined) throw new ConformanceCheckError(missing, site);
          const failed = subjectFailureMessages(result, accepted);
          // No stack frames: the code frame of the call is shown once, under the first problem's test.
          if (failed !== undefined) throw new ConformanceCheckError(failed.verdict, '');
        });
        it(`${subject}: first problem in full`, () => {
          if (result === undefined) throw new ConformanceCheckError(missing, site);
          const first = subjectFailureMessages(result, accepted)?.first;
          if (first !== undefined) throw new ConformanceCheckError(first, site);
        });
      });
    }
  });
}
