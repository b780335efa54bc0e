// createTensors answers null.
import { faultyTensors } from './tensors.mjs';

export default faultyTensors('tensors-create-null', { createTensors: () => null });
