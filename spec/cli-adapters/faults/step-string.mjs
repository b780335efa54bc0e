// The 3rd step answers a string among the numbers.
import { faultySgd } from './sgd.mjs';

export default faultySgd('step-string', { step: (x) => ['0.5', ...x.slice(1)] });
