// SGD whose 3rd step navigates its page away: the browser runner's host goes with the page, as a worker's with process.exit.
import { misbehavingOnThirdStep } from '../hostile/third-step.mjs';

export default misbehavingOnThirdStep('navigates-away', () => {
  globalThis.location.href = 'about:blank';
  return new Promise(() => {});
});
