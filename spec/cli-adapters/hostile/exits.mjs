// SGD whose 3rd step calls process.exit(0): in-process, that ended the checker with exit 0 and no output.
import { misbehavingOnThirdStep } from './third-step.mjs';

export default misbehavingOnThirdStep('exits', () => process.exit(0));
