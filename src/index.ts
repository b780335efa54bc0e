export { createOptimizer, createSchedule } from './registry/create.js';
export { allocate, DTYPES, rounderFor } from './numerics/dtype.js';
export { bf16round, f16round } from './numerics/half-precision.js';
export { type LandscapeSpec, landscapeGradient, landscapeLoss } from './reference/landscape.js';
export { adagrad } from './optimizers/adagrad.js';
export { adam } from './optimizers/adam.js';
export { momentum } from './optimizers/momentum.js';
export { nesterov } from './optimizers/nesterov.js';
export { rmsprop } from './optimizers/rmsprop.js';
export { sgd } from './optimizers/sgd.js';
export { LECTURE_EPSILON, lecturePresets } from './reference/presets.js';
export {
  CONVENTION_IDS,
  optimizerRule,
  optimizerRules,
  type RegistryEntry,
  registry,
  scheduleRule,
  scheduleRules,
} from './registry/registry.js';
export { exponentialDecay } from './schedules/exponential-decay.js';
export { inverseTimeDecay } from './schedules/inverse-time-decay.js';
export { stepDecay } from './schedules/step-decay.js';
export type {
  AdagradConfig,
  AdamConfig,
  ConventionId,
  KnownBugId,
  Conventions,
  CreateOptions,
  Dtype,
  ExponentialScheduleConfig,
  FloatVector,
  InverseTimeScheduleConfig,
  MomentumConfig,
  NesterovConfig,
  Optimizer,
  OptimizerConfig,
  OptimizerName,
  OptimizerRule,
  RmspropConfig,
  ScheduleConfig,
  ScheduleName,
  ScheduleRule,
  SgdConfig,
  StateValue,
  StepScheduleConfig,
  VariantId,
} from './reference/types.js';
export {
  type Adapter,
  type ReferenceAdapter,
  type ReferenceAdapterOptions,
  referenceAdapter,
  type Stepper,
} from './adapter/contract.js';
export { isUnsupported, type Unsupported, UnsupportedValue, unsupported } from './adapter/unsupported.js';
export { sameBits, ulpDistance } from './numerics/ulp.js';
export {
  type ClosedLoop,
  type FixtureProvenance,
  fixturesRoot,
  loadOptimizerFixtures,
  loadRoundingFixtures,
  loadScheduleFixtures,
  type OpenLoop,
  type OptimizerExpectation,
  type OptimizerFixtureCase,
  type OptimizerFixtureFile,
  parseFixtureJson,
  type RoundingFixtureFile,
  type ScheduleFixtureCase,
  type ScheduleFixtureFile,
} from './fixtures/fixtures.js';
export {
  type CaseReplay,
  type Difference,
  replayOptimizerCase,
  replayScheduleCase,
  type VerifyRow,
  verifyFixtures,
} from './fixtures/verify.js';
export { GOLDEN_ULP_BOUNDS, goldenUlpBound } from './fixtures/golden-bounds.js';
export { AdapterError } from './adapter/adapter-error.js';
export {
  type SpawnAdapterOptions,
  type SpawnedAdapter,
  type SpawnedStepper,
  spawnAdapter,
} from './protocol/spawn-adapter.js';
export { type CommandLine, parseCommandLine, splitCommand } from './protocol/split-command.js';
export { pythonHelperFolder } from './protocol/python-helper.js';
export { decodeNumber, encodeNumber, type WireNumber } from './protocol/wire-number.js';
export {
  PROTOCOL_VERSION,
  type ProtocolOp,
  type ProtocolRequest,
  type ProtocolResponse,
} from './protocol/messages.js';
export { allSubjects, CONFORMANCE_DEFAULTS, checkConformance, prepareConformance } from './conformance/check.js';
export { type IsolatedAdapter, type IsolateOptions, isolateAdapter } from './isolation/isolate-adapter.js';
export type {
  ConformanceOptions,
  ConformanceReport,
  Counterexample,
  Finding,
  SubjectResult,
  Trace,
  Verdict,
} from './conformance/types.js';
export { AdapterLoadError, loadAdapter, validateAdapter } from './adapter/load-adapter.js';
export { type ConsoleReportOptions, reportToConsole } from './report/console.js';
export { reportToJson } from './report/json.js';
export { reportToJUnit } from './report/junit.js';
export { reportToMarkdown } from './report/markdown.js';
export { MAX_CHARTED_PER_SUBJECT, reportToHtml } from './report/html.js';
export { findingIsProblem, firstProblem, subjectPassed } from './report/subject-outcome.js';
