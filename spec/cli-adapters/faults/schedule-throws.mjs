// schedule(config) throws.
import { faultySgd } from './sgd.mjs';

export default faultySgd('schedule-throws', {
  schedule: () => {
    throw new Error('no such schedule');
  },
});
