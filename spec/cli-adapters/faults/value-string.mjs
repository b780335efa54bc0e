// The schedule's value at t = 3 is a string.
import { faultySgd } from './sgd.mjs';

export default faultySgd('value-string', { schedule: () => (t) => (t === 3 ? 'a' : 0.5) });
