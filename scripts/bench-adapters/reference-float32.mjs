// The reference (float32) as a user's adapter module, for `npm run bench`'s isolated rows (built dist/, as the CLI runs).
import { referenceAdapter } from '../../dist/index.js';

export default referenceAdapter({ dtype: 'float32', name: 'reference (float32 module)' });
