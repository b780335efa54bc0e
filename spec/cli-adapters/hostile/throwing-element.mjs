// SGD whose 3rd step returns an array whose element getter throws.
import { misbehavingOnThirdStep } from './third-step.mjs';

export default misbehavingOnThirdStep(
  'throwing-element',
  (grad) =>
    new Proxy([1], {
      get(_target, k) {
        if (k === 'length') return grad.length;
        throw new Error('element getter');
      },
    }),
);
