// schedule answers a number, not a function of t.
import { faultySgd } from './sgd.mjs';

export default faultySgd('schedule-number', { schedule: () => 5 });
