// What src/adapter/ offers the rest of src/: the implementation under test (contract, checked calls, scripts, views).
export { AdapterError } from './adapter-error.js';
export {
  adapterFault,
  checkedCall,
  checkedSyncCall,
  checkSchedule,
  checkStepper,
  checkTensorStepper,
  copyBatch,
  copyParameters,
  copyTensors,
  noScheduleMethod,
  scheduleValueAt,
} from './checked-call.js';
export { type ClosedLoop, firstForgedGradient } from './closed-loop.js';
export {
  type Adapter,
  referenceAdapter,
  type Stepper,
} from './contract.js';
export { errorText } from './error-text.js';
export { AdapterLoadError, loadAdapter, validateAdapter } from './load-adapter.js';
export { prefetchingSchedule } from './schedule-prefetch.js';
export {
  type BatchOptions,
  type ClosedLoopRun,
  failedInScript,
  runScript,
  runScripts,
  runScriptsKey,
  runScriptsLocally,
  type Script,
  type ScriptCall,
  scriptInProgress,
  type ScriptOutcome,
  type ScriptResult,
  type ScriptRunner,
  scriptRunnerOf,
  validateScript,
} from './script.js';
export { scheduleTable, trajectories, trajectoriesOf, trajectory, trajectoryScript } from './trajectories.js';
export { isUnsupported, unsupported, type Unsupported, UnsupportedValue } from './unsupported.js';
export { adapterView } from './view.js';
export { isMixed, precisionProblem, resolvePrecision } from './precision.js';
export { nameListProblem } from './load-adapter.js';
export { interruptionName, interruptionText } from './interruption.js';
export { timesOwnCalls, timesOwnCallsKey } from './own-timing.js';
export { checkpoint, decodeState, encodeState } from './checkpoint.js';
export type { TensorAdapter, TensorGroupSpec, TensorStepper, TensorSupport, TensorsSpec } from './tensor-contract.js';
export {
  type DeclaredSupport,
  declaredSupport,
  isTensorSubject,
  requireTensorSupport,
  TENSOR_SUBJECTS,
  type TensorSubject,
  unsupportedBecause,
} from './tensor-support.js';
