// The reference itself, as a user's TypeScript adapter module: conforms everywhere.
import { type Adapter, referenceAdapter } from '../../src/adapter/contract.js';

const adapter: Adapter = referenceAdapter({ dtype: 'float64', name: 'reference (ts module)' });
export default adapter;
