// SGD whose 3rd step rejects with a null-prototype object (String() of it throws).
import { misbehavingOnThirdStep } from './third-step.mjs';

export default misbehavingOnThirdStep('null-proto', () => Promise.reject(Object.create(null)));
