// The reference (float64) as a user's adapter module, for `npm run bench`'s isolated rows (built dist/, as the CLI runs).
// It imports the reference's own code, as a user's module imports its own optimizer: not the whole optimspec barrel
// (its laws, fast-check, the reports), which would put about 35 ms of loading into the worker that no user module pays.
import { referenceAdapter } from '../../dist/adapter/contract.js';

export default referenceAdapter({ dtype: 'float64', name: 'reference (float64 module)' });
