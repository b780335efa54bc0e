// The reference as a user's module that refuses Nesterov with rho = 0, as PyTorch does:
// the checks that need it are skipped, through the worker as in-process.
import { type Adapter, referenceAdapter } from '../../src/adapter/contract.js';
import { unsupported } from '../../src/adapter/unsupported.js';

const reference = referenceAdapter({ dtype: 'float64', name: 'refuses nesterov rho = 0' });
const adapter: Adapter = {
  ...reference,
  create(config, x0) {
    if (config.optimizer === 'nesterov' && config.rho === 0) return unsupported('nesterov requires rho > 0');
    return reference.create(config, x0);
  },
};
export default adapter;
