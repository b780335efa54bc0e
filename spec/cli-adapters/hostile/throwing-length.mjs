// SGD whose 3rd step returns an array-like whose length getter throws.
import { misbehavingOnThirdStep } from './third-step.mjs';

export default misbehavingOnThirdStep('throwing-length', () => ({
  get length() {
    throw new Error('length getter');
  },
}));
