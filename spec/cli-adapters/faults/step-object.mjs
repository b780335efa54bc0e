// The 3rd step answers an object.
import { faultySgd } from './sgd.mjs';

export default faultySgd('step-object', { step: () => ({ 0: 1 }) });
