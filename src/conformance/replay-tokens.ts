import { isTensorSubject } from '../adapter/index.js';
import type { Subject } from '../laws/index.js';
import type { Conventions } from '../reference/index.js';
import type { CheckContext } from './context.js';
import { explainedBy } from './explained.js';
import type { LawOutcome } from './laws.js';
import { encodeReplay, type Replay } from './replay.js';
import type { Finding } from './types.js';

/** What a subject's replay tokens carry besides the finding itself. */
export interface ReplayBasis {
  subject: Subject;
  /** The laws that ran: a law finding's token names the optimizers its law drove. */
  laws: readonly LawOutcome[];
  /** The conventions the diagnosis settled on: the token of a finding they explain carries them. */
  conventions: Conventions;
}

/** The token that re-runs exactly this finding's check ({@link Replay}). */
function replayToken(ctx: CheckContext, basis: ReplayBasis, finding: Finding): string {
  const token: Replay = {
    subject: basis.subject,
    check: finding.check,
    seed: ctx.seed,
    runs: ctx.runs,
    ...(finding.check === 'probe:large-vector' && ctx.largeVector !== undefined
      ? { largeVector: ctx.largeVector }
      : {}),
  };
  if (
    (finding.check.startsWith('law:') || isTensorSubject(basis.subject)) &&
    finding.counterexample?.path !== undefined
  )
    token.path = finding.counterexample.path;
  // One check alone can look like another diagnosis (a late first gradient: zero-filled or one step counter alike; a
  // right-signed error of 1e-10 breaks a law as `ascent` would): the token carries what the whole run named.
  const named = finding.bug ?? finding.conventions?.find((id) => id === 'global-step');
  if (named !== undefined && (finding.bug !== undefined || isTensorSubject(basis.subject))) token.named = named;
  const companions = basis.laws.find((o) => o.finding.check === finding.check)?.companions;
  if (companions !== undefined && companions.length > 0) token.companions = [...companions];
  if (explainedBy(finding, basis.conventions)) token.conventions = basis.conventions;
  return encodeReplay(token);
}

/** The findings, each that failed or was explained with the token that re-runs it (`replay`). */
export function withReplayTokens(ctx: CheckContext, basis: ReplayBasis, findings: readonly Finding[]): Finding[] {
  return findings.map((finding) =>
    finding.status === 'fail' || finding.status === 'explained'
      ? { ...finding, replay: replayToken(ctx, basis, finding) }
      : finding,
  );
}
