// A step over several tensors answers a number, not the tensors' values.
import { faultyTensors } from './tensors.mjs';

export default faultyTensors('tensors-step-number', { step: () => 7 });
