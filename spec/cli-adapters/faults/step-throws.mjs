// The 3rd step throws.
import { faultySgd } from './sgd.mjs';

export default faultySgd('step-throws', {
  step: () => {
    throw new Error('out of memory');
  },
});
