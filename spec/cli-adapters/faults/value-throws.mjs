// The schedule throws at t = 3.
import { faultySgd } from './sgd.mjs';

export default faultySgd('value-throws', {
  schedule: () => (t) => {
    if (t === 3) throw new Error('t too large');
    return 0.5;
  },
});
