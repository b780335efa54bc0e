// What src/registry/ offers the rest of src/: every rule by name, and createOptimizer / createSchedule.
export { createOptimizer, createSchedule } from './create.js';
export {
  CONVENTION_IDS,
  optimizerRule,
  optimizerRules,
  scheduleRule,
  scheduleRules,
} from './registry.js';
