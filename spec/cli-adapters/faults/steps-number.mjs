// The batched steps answer a number.
import { faultySgd } from './sgd.mjs';

export default faultySgd('steps-number', { steps: () => 7 });
