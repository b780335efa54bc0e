import type { MutationRecord } from './guard.js';
import type { Finding } from './types.js';

/** The `immutability` finding: whether the adapter modified an x0 or gradient it was handed, and where first. */
export function immutabilityFinding(mutations: readonly MutationRecord[]): Finding {
  if (mutations.length === 0)
    return { check: 'immutability', status: 'pass', message: 'no x0 or gradient handed to the adapter was modified' };
  const first = mutations[0]!;
  return {
    check: 'immutability',
    status: 'fail',
    message: `the adapter modified the ${first.operation === 'create' ? 'x0' : 'gradient'} it was given (${mutations.length === 1 ? 'once' : `${mutations.length} times`}); the first at step ${first.step + 1}, coordinate ${first.coordinate}: ${first.before} became ${first.after}`,
    counterexample: { step: first.step + 1, coordinate: first.coordinate, expected: first.before, actual: first.after },
  };
}
