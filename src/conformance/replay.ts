import type { Subject } from '../laws/index.js';
import { CONVENTION_IDS, optimizerRules } from '../registry/index.js';
import { type Conventions, describeValue, type OptimizerName } from '../reference/index.js';
import { TENSOR_SUBJECTS } from '../adapter/index.js';

/**
 * Everything needed to re-run one check exactly: which check of which subject, the
 * run's seed and run count (they fix the drawn scenarios and the law inputs), the
 * law's fast-check path (its shrunk counterexample), the optimizers the law was
 * allowed to drive, and the conventions that explained the check, if any.
 */
export interface Replay {
  subject: Subject;
  check: string;
  seed: number;
  runs: number;
  path?: string;
  companions?: OptimizerName[];
  conventions?: Conventions;
  /** The large-vector probe's length, for that check. */
  largeVector?: number;
  /**
   * What the whole run's diagnosis named for this check, decided with every check of the subject: a known bug, or for a
   * check over several tensors `global-step`. Absent: nothing was named, and a replay names nothing either.
   */
  named?: string;
}

const PREFIX = 'r1.';

/** The token `--replay` takes: the {@link Replay} as base64url JSON, prefixed with its format version. */
export function encodeReplay(replay: Replay): string {
  return PREFIX + Buffer.from(JSON.stringify(replay), 'utf8').toString('base64url');
}

/** Reads a replay token; throws a RangeError naming the token and what is wrong with it. */
export function decodeReplay(token: string): Replay {
  const shown = describeValue(typeof token === 'string' && token.length > 60 ? `${token.slice(0, 60)}...` : token);
  if (typeof token !== 'string' || !token.startsWith(PREFIX))
    throw new RangeError(`replay token must start with "${PREFIX}" (copy it whole from the report), got ${shown}`);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token.slice(PREFIX.length), 'base64url').toString('utf8'));
  } catch {
    throw new RangeError(`replay token ${shown} is damaged: it does not decode (copy it whole from the report)`);
  }
  const r = value as Partial<Replay>;
  const subjects = [
    ...optimizerRules.map((x) => x.name as string),
    'schedule:step',
    'schedule:exponential',
    'schedule:inverse-time',
    ...TENSOR_SUBJECTS,
  ];
  const ok =
    typeof r === 'object' &&
    r !== null &&
    typeof r.subject === 'string' &&
    subjects.includes(r.subject) &&
    typeof r.check === 'string' &&
    Number.isInteger(r.seed) &&
    typeof r.runs === 'number' &&
    r.runs > 0 &&
    (r.path === undefined || typeof r.path === 'string') &&
    (r.largeVector === undefined || Number.isSafeInteger(r.largeVector)) &&
    (r.named === undefined || typeof r.named === 'string') &&
    (r.companions === undefined ||
      (Array.isArray(r.companions) && r.companions.every((c) => optimizerRules.some((x) => x.name === c)))) &&
    (r.conventions === undefined ||
      (typeof r.conventions === 'object' &&
        r.conventions !== null &&
        Object.keys(r.conventions).every((k) => (CONVENTION_IDS as readonly string[]).includes(k))));
  if (!ok)
    throw new RangeError(
      `replay token ${shown} is damaged: its fields are not a replay (copy it whole from the report)`,
    );
  return r as Replay;
}
