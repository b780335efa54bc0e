// save answers a state holding a function, which no checkpoint can keep.
import { faultyTensors } from './tensors.mjs';

export default faultyTensors('tensors-save-function', { save: () => ({ step: () => 1 }) });
