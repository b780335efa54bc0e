import { powInteger } from '../numerics/index.js';
import {
  requireDecayFactor,
  requireNonNegative,
  requireObject,
  requirePositiveInteger,
  requireTag,
  requireTime,
  type ScheduleRule,
  type StepScheduleConfig,
} from '../reference/index.js';

function validate(config: StepScheduleConfig): void {
  requireObject('config', config);
  requireTag('config.schedule', config.schedule, 'step');
  requireNonNegative('config.initial', config.initial);
  requirePositiveInteger('config.every', config.every);
  requireDecayFactor('config.factor', config.factor);
}

/**
 * Step decay, docs/spec.md section 7: `alpha0 * factor ** floor(t / every)`, so the
 * rate changes exactly at multiples of `every` (not one epoch early or late).
 */
export const stepDecay: ScheduleRule<StepScheduleConfig> = {
  kind: 'schedule',
  name: 'step',
  title: 'Step decay',
  hyperparameters: ['initial', 'every', 'factor'],
  validate,
  create(config: StepScheduleConfig) {
    validate(config);
    const { initial, every, factor } = config;
    return (t: number): number => {
      requireTime('t', t);
      // factor ** n correctly rounded, as glibc's pow (behind Python's **) returns it.
      return initial * powInteger(factor, Math.floor(t / every));
    };
  },
};
