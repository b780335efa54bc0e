// The package's API (`optimspec`): what README.md, docs/cli.md and docs/protocol.md
// document, and the types their signatures name; spec/public-api.txt is the reviewed list.

// The reference rules (README.md, "API").
export { bf16round, f16round, type Precision } from './numerics/index.js';
export {
  allocateTensors,
  createOptimizer,
  createSchedule,
  createTensorOptimizer,
  type SavedGroup,
  type SavedTensorState,
  type TensorGroupConfig,
  type TensorOptimizer,
  type TensorOptimizerConfig,
  type TensorOptimizerOptions,
} from './registry/index.js';
export {
  type AdagradConfig,
  type AdamConfig,
  type ConventionId,
  type Conventions,
  type CreateOptions,
  type Dtype,
  type ExponentialScheduleConfig,
  type FloatVector,
  type InverseTimeScheduleConfig,
  type KnownBugId,
  lecturePresets,
  type MomentumConfig,
  type NesterovConfig,
  type Optimizer,
  type OptimizerConfig,
  type OptimizerName,
  type RmspropConfig,
  type ScheduleConfig,
  type ScheduleName,
  type SgdConfig,
  type StateValue,
  type StepScheduleConfig,
  type VariantId,
} from './reference/index.js';

// The golden fixtures (README.md, "Golden fixtures").
export {
  type ClosedLoop,
  type FixtureProvenance,
  loadOptimizerFixtures,
  loadRoundingFixtures,
  loadScheduleFixtures,
  type OpenLoop,
  type OptimizerExpectation,
  type OptimizerFixtureCase,
  type OptimizerFixtureFile,
  type RoundingFixtureFile,
  type ScheduleFixtureCase,
  type ScheduleFixtureFile,
  loadTensorFixtures,
  type TensorFixtureCase,
  type TensorFixtureFile,
  type TensorFixtureStep,
} from './fixtures/index.js';

// The implementation under test (docs/cli.md, "The adapter"; docs/protocol.md).
export {
  type Adapter,
  AdapterError,
  AdapterLoadError,
  loadAdapter,
  type Stepper,
  TENSOR_SUBJECTS,
  type TensorAdapter,
  type TensorGroupSpec,
  type TensorStepper,
  type TensorSubject,
  type TensorSupport,
  type TensorsSpec,
  type Unsupported,
  UnsupportedValue,
  unsupported,
} from './adapter/index.js';
export { type IsolatedAdapter, type IsolateOptions, isolateAdapter } from './isolation/index.js';
export {
  type SpawnAdapterOptions,
  type SpawnedAdapter,
  type SpawnedStepper,
  spawnAdapter,
  splitCommand,
} from './protocol/index.js';

// The checker and its reports (README.md, "Check your own optimizer"; docs/cli.md, "Programmatic use").
export {
  checkConformance,
  type ConformanceOptions,
  type ConformanceReport,
  type Counterexample,
  type Finding,
  type SubjectResult,
  type Trace,
  type Verdict,
} from './conformance/index.js';
export {
  type ConsoleReportOptions,
  type HtmlReportOptions,
  reportToConsole,
  reportToHtml,
  reportToJson,
  reportToJUnit,
  reportToMarkdown,
} from './report/index.js';
