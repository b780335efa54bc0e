// What src/conformance/ offers the rest of src/: the checker, its options and its report types.
export { checkConformance } from './check.js';
export { prepareConformance } from './conformance-fixtures.js';
export { CONFORMANCE_DEFAULTS } from './defaults.js';
export { didYouMeanSuffix } from './did-you-mean.js';
export { plannedChecks } from './planned-checks.js';
export { LONG_HORIZON_CHECK } from './long-horizon-check.js';
export { decodeReplay } from './replay.js';
export type {
  ConformanceOptions,
  ConformanceReport,
  Counterexample,
  Finding,
  SubjectResult,
  Trace,
  Verdict,
} from './types.js';
export { knownBugRefusal, validateConformanceOptions } from './validate-options.js';
export { optimspecVersion } from './version.js';
export type { Replay } from './replay.js';
export type { TensorRun } from './tensor-runs.js';
