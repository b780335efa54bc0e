// What src/schedules/ offers the rest of src/: the three reference learning-rate decays.
export { exponentialDecay } from './exponential-decay.js';
export { inverseTimeDecay } from './inverse-time-decay.js';
export { stepDecay } from './step-decay.js';
