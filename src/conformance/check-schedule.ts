import { lawsFor } from '../laws/index.js';
import type { Subject } from '../laws/index.js';
import type { ScheduleName } from '../reference/index.js';
import { type CheckContext, progressOf } from './context.js';
import { CONFORMANCE_DEFAULTS } from './defaults.js';
import { type LawOutcome, runLaws } from './laws.js';
import { nameScheduleBug } from './name-bug.js';
import { withReplayTokens } from './replay-tokens.js';
import { runScheduleFixtures } from './schedule-fixtures.js';
import type { Finding, SubjectResult } from './types.js';

/**
 * Checks one schedule, in stages that each return data: its golden fixture tables,
 * then (when no adapter error came first) its laws, then the verdict, for `fails` the
 * known bug marked on every failing finding, and last each finding's replay token.
 */
export async function checkSchedule(ctx: CheckContext, name: ScheduleName): Promise<SubjectResult> {
  const subject: Subject = `schedule:${name}`;
  if (!(ctx.adapter.schedules ?? []).includes(name) || typeof ctx.adapter.schedule !== 'function') {
    return { subject, verdict: 'unsupported', conventions: [], findings: [] };
  }
  const progress = progressOf(ctx, subject);
  const fixtures = await runScheduleFixtures(ctx, name, progress);
  const laws: LawOutcome[] = fixtures.findings.some((f) => f.status === 'error')
    ? []
    : await runLaws(
        lawsFor(subject).filter((l) => ctx.replay === undefined || ctx.replay.check === `law:${l.id}`),
        ctx.guard,
        subject,
        [],
        ctx.seed,
        ctx.runs * CONFORMANCE_DEFAULTS.lawEffort,
        progress,
        ctx.replay?.path,
      );
  const findings = [...fixtures.findings, ...laws.map((o) => o.finding)];
  // The last stage: each finding that failed gets its replay token.
  const done = (result: SubjectResult): SubjectResult => ({
    ...result,
    findings: withReplayTokens(ctx, { subject, laws, conventions: {} }, result.findings),
  });
  if (findings.some((f) => f.status === 'error')) return done({ subject, verdict: 'error', conventions: [], findings });
  const failing = findings.filter((f) => f.status === 'fail');
  if (failing.length === 0) return done({ subject, verdict: 'conforms', conventions: [], findings });
  // A replay has no fixture tables to rule a bug out (every one of none is one early): it names what the whole run did.
  const named = await nameScheduleBug(
    ctx.adapter.dtype,
    subject,
    fixtures.answered,
    laws.filter((o) => o.result.status === 'fail'),
    failing,
  );
  const bug = ctx.replay === undefined || named === ctx.replay.named ? named : undefined;
  const marked = (f: Finding): Finding => (bug !== undefined && f.status === 'fail' ? { ...f, bug } : f);
  return done({
    subject,
    verdict: 'fails',
    conventions: [],
    ...(bug === undefined ? {} : { bug }),
    findings: findings.map(marked),
  });
}
