// create answers null.
import { faultySgd } from './sgd.mjs';

export default faultySgd('create-null', { create: () => null });
