// SGD whose 3rd step spins the microtask queue forever (for (;;) await null).
import { misbehavingOnThirdStep } from './third-step.mjs';

export default misbehavingOnThirdStep('microtask-loop', () =>
  (async () => {
    for (;;) await null;
  })(),
);
