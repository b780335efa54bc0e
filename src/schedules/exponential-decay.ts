import { expCorrectlyRounded } from '../numerics/index.js';
import {
  type ExponentialScheduleConfig,
  requireNonNegative,
  requireObject,
  requireTag,
  requireTime,
  type ScheduleRule,
} from '../reference/index.js';

function validate(config: ExponentialScheduleConfig): void {
  requireObject('config', config);
  requireTag('config.schedule', config.schedule, 'exponential');
  requireNonNegative('config.initial', config.initial);
  requireNonNegative('config.k', config.k);
}

/** Exponential decay, docs/spec.md section 7: `alpha0 * exp(-k * t)`. */
export const exponentialDecay: ScheduleRule<ExponentialScheduleConfig> = {
  kind: 'schedule',
  name: 'exponential',
  title: 'Exponential decay',
  hyperparameters: ['initial', 'k'],
  validate,
  create(config: ExponentialScheduleConfig) {
    validate(config);
    const { initial, k } = config;
    return (t: number): number => {
      requireTime('t', t);
      // exp correctly rounded, as glibc's exp (behind Python's math.exp) returns it.
      return initial * expCorrectlyRounded(-k * t);
    };
  },
};
