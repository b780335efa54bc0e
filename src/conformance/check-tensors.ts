import type { CheckContext } from './context.js';
import { progressOf } from './context.js';
import { CONFORMANCE_DEFAULTS } from './defaults.js';
import { withReplayTokens } from './replay-tokens.js';
import type { SubjectResult } from './types.js';
import type { TensorSubject } from '../adapter/index.js';
import { checkTensorSubject } from './tensor-check.js';

/**
 * The stage of a subject over several tensors (docs/spec.md section 9): src/conformance/tensor-check.ts
 * under this run's guard, seed and effort, told the verdicts and conventions of the subjects
 * before it; its failing and explained findings get their replay tokens.
 */
export async function checkTensors(
  ctx: CheckContext,
  subject: TensorSubject,
  results: readonly SubjectResult[],
): Promise<SubjectResult> {
  const result = await checkTensorSubject(
    {
      adapter: ctx.adapter,
      guardOptions: ctx.guardOptions,
      seed: ctx.seed,
      runs: ctx.runs,
      shrinkTimeMs: CONFORMANCE_DEFAULTS.shrinkTimeMs,
      results,
      single: (config, x0) => ctx.guard.createGuarded(config, x0),
      record: progressOf(ctx, subject),
      ...(ctx.replay === undefined
        ? {}
        : {
            replay: {
              check: ctx.replay.check,
              ...(ctx.replay.path === undefined ? {} : { path: ctx.replay.path }),
              ...(ctx.replay.named === undefined ? {} : { named: ctx.replay.named }),
            },
          }),
    },
    subject,
  );
  return { ...result, findings: withReplayTokens(ctx, { subject, laws: [], conventions: {} }, result.findings) };
}
