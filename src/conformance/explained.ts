import type { ConventionId, Conventions } from '../reference/index.js';
import { conventionIds } from './diagnose.js';
import type { Finding } from './types.js';

/**
 * The finding as explained by `conventions` (and by `non-finite` when `nonFinite`):
 * a new finding, status `explained`, its message after the explanation; the finding
 * given is left as it was made.
 */
export function explained(finding: Finding, conventions: Conventions, nonFinite: boolean): Finding {
  const ids: ConventionId[] = [...conventionIds(conventions), ...(nonFinite ? (['non-finite'] as const) : [])];
  const detail = ids
    .map((id) => (id === 'initial-accumulator' ? `initial-accumulator = ${conventions[id]}` : id))
    .join(' + ');
  return {
    ...finding,
    status: 'explained',
    conventions: ids,
    message: `explained by ${detail}: ${finding.message.replace(/^explained by [^:]+: /, '')}`,
  };
}

/** Whether `finding` is explained by every one of `conventions` (and they are some): its replay token carries them. */
export function explainedBy(finding: Finding, conventions: Conventions): boolean {
  const ids = conventionIds(conventions);
  return (
    finding.status === 'explained' && ids.length > 0 && ids.every((id) => finding.conventions?.includes(id) === true)
  );
}
