import { optimizerRule, scheduleRule } from './registry.js';
import {
  type CreateOptions,
  type Optimizer,
  type OptimizerConfig,
  requireObject,
  type ScheduleConfig,
} from '../reference/index.js';

/** Creates a reference optimizer from any config, dispatching on `config.optimizer`. */
export function createOptimizer(config: OptimizerConfig, options: CreateOptions): Optimizer {
  requireObject('config', config);
  return optimizerRule(config.optimizer).create(config, options);
}

/** Creates a reference schedule `t => learning rate` from any config, dispatching on `config.schedule`. */
export function createSchedule(config: ScheduleConfig): (t: number) => number {
  requireObject('config', config);
  return scheduleRule(config.schedule).create(config);
}
