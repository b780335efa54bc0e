// What src/registry/ offers the rest of src/: every rule by name, createOptimizer / createSchedule, and the optimizer over several tensors.
export { createOptimizer, createSchedule } from './create.js';
export {
  CONVENTION_IDS,
  optimizerRule,
  optimizerRules,
  scheduleRule,
  scheduleRules,
} from './registry.js';
export {
  allocateTensors,
  createTensorOptimizer,
  type SavedGroup,
  type SavedTensorState,
  type TensorGroupConfig,
  type TensorOptimizer,
  type TensorOptimizerConfig,
  type TensorOptimizerOptions,
} from './tensors.js';
