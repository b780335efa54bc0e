// SGD whose 3rd step leaves a rejected promise nobody handles.
import { misbehavingOnThirdStep } from './third-step.mjs';

export default misbehavingOnThirdStep('stray-rejection', () => {
  Promise.reject(new Error('stray rejection from step 3'));
});
