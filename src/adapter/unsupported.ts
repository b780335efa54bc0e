import type { OptimizerConfig, ScheduleConfig } from '../reference/index.js';

/**
 * An adapter's refusal of one configuration: a value the lecture allows that the
 * implementation's library rejects (PyTorch's Nesterov with rho = 0). `create` or
 * `schedule` may return it instead of an instance; the checks that need that
 * configuration are reported `skipped` with the reason, and the rest of the subject
 * is judged. Plain data, so it crosses the stdio protocol and worker boundaries.
 */
export interface Unsupported {
  readonly unsupported: string;
}

/** The refusal `create` or `schedule` returns: `return unsupported('nesterov requires rho > 0')`. */
export function unsupported(reason: string): Unsupported {
  if (typeof reason !== 'string' || reason.trim() === '')
    throw new TypeError(`reason must be a non-empty string, got ${JSON.stringify(reason)}`);
  return { unsupported: reason };
}

/** Whether an adapter's answer is a refusal ({@link unsupported}). */
export function isUnsupported(value: unknown): value is Unsupported {
  return (
    typeof value === 'object' && value !== null && typeof (value as { unsupported?: unknown }).unsupported === 'string'
  );
}

/**
 * Raised inside the checker when an adapter refused a configuration: never an
 * `error` of the adapter, never a failure of the rule; the check becomes `skipped`.
 */
export class UnsupportedValue extends Error {
  override readonly name = 'UnsupportedValue';
  constructor(
    readonly reason: string,
    readonly config?: OptimizerConfig | ScheduleConfig,
  ) {
    super(`the implementation refused ${config === undefined ? 'a configuration' : describeConfig(config)}: ${reason}`);
  }
}

function describeConfig(config: OptimizerConfig | ScheduleConfig): string {
  return `{ ${Object.entries(config)
    .map(([k, v]) => `${k}: ${typeof v === 'number' ? (Object.is(v, -0) ? '-0' : String(v)) : JSON.stringify(v)}`)
    .join(', ')} }`;
}
