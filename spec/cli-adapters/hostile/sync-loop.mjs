// SGD whose 3rd step loops forever synchronously: only terminating its worker ends it.
import { misbehavingOnThirdStep } from './third-step.mjs';

export default misbehavingOnThirdStep('sync-loop', () => {
  console.error('sync-loop: entering the loop');
  for (;;);
});
