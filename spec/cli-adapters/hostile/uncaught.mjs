// SGD whose 3rd step throws from a timer, outside any call.
import { misbehavingOnThirdStep } from './third-step.mjs';

export default misbehavingOnThirdStep('uncaught', () => {
  setTimeout(() => {
    throw new Error('thrown from a timer');
  }, 0);
});
