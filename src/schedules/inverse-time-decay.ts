import {
  type InverseTimeScheduleConfig,
  requireNonNegative,
  requireObject,
  requireTag,
  requireTime,
  type ScheduleRule,
} from '../reference/index.js';

function validate(config: InverseTimeScheduleConfig): void {
  requireObject('config', config);
  requireTag('config.schedule', config.schedule, 'inverse-time');
  requireNonNegative('config.initial', config.initial);
  requireNonNegative('config.k', config.k);
}

/** 1/t decay, docs/spec.md section 7: `alpha0 / (1 + k * t)`; only + * /, so exact in IEEE-754. */
export const inverseTimeDecay: ScheduleRule<InverseTimeScheduleConfig> = {
  kind: 'schedule',
  name: 'inverse-time',
  title: '1/t decay',
  hyperparameters: ['initial', 'k'],
  validate,
  create(config: InverseTimeScheduleConfig) {
    validate(config);
    const { initial, k } = config;
    return (t: number): number => {
      requireTime('t', t);
      return initial / (1 + k * t);
    };
  },
};
