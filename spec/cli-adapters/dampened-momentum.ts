// Momentum as an exponential moving average, `vx = rho * vx + (1 - rho) * dx`
// (conventions.md `dampened-momentum`, PyTorch with dampening = rho): deviates.
import { type Adapter, referenceAdapter } from '../../src/adapter/contract.js';

const reference = referenceAdapter({ dtype: 'float64', conventions: { 'dampened-momentum': true } });
const adapter: Adapter = { ...reference, name: 'dampened momentum', optimizers: ['momentum'], schedules: [] };
export default adapter;
