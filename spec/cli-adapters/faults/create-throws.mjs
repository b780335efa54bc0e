// create throws.
import { faultySgd } from './sgd.mjs';

export default faultySgd('create-throws', {
  create: () => {
    throw new Error('no device');
  },
});
