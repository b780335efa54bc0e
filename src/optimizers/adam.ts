import {
  type AdamConfig,
  type Conventions,
  type CreateOptions,
  type Optimizer,
  type OptimizerRule,
  requireNonNegative,
  requireObject,
  requireTag,
  requireUnitInterval,
  validateConventions,
} from '../reference/index.js';
import { PowerSequence } from '../numerics/index.js';
import { adamSimd } from '../kernels/index.js';
import { adaptiveStep } from './adaptive-step.js';
import { createInstance } from './instance.js';

const conventions = ['epsilon-inside-sqrt', 'epsilon-hat', 'no-bias-correction'] as const;

function validate(config: AdamConfig, chosen?: Conventions): void {
  requireObject('config', config);
  requireTag('config.optimizer', config.optimizer, 'adam');
  requireNonNegative('config.learningRate', config.learningRate);
  requireUnitInterval('config.beta1', config.beta1);
  requireUnitInterval('config.beta2', config.beta2);
  requireNonNegative('config.epsilon', config.epsilon);
  validateConventions('adam', conventions, chosen);
}

/**
 * Adam, docs/spec.md section 6, full form: both moments, bias correction with
 * `t` counted from 1 (the slide's `range(num_iterations)` would divide by zero),
 * `x -= learning_rate * first_unbias / (np.sqrt(second_unbias) + eps)`.
 * `1 - beta ** t` is a Python float (double), rounded to the dtype where it meets
 * the moments. Variants: `no-bias-correction` ("Adam (almost)"), `epsilon-hat`
 * (Keras / TF), `epsilon-inside-sqrt`.
 */
export const adam: OptimizerRule<AdamConfig> = {
  kind: 'optimizer',
  name: 'adam',
  title: 'Adam',
  hyperparameters: ['learningRate', 'beta1', 'beta2', 'epsilon'],
  stateKeys: ['first_moment', 'second_moment', 't'],
  conventions,
  validate,
  create(config: AdamConfig, options: CreateOptions): Optimizer {
    // options first: the conventions are read from it before the kernel is built.
    requireObject('options', options);
    validate(config, options.conventions);
    const inside = options.conventions?.['epsilon-inside-sqrt'] === true;
    const epsilonHat = options.conventions?.['epsilon-hat'] === true;
    const corrected = options.conventions?.['no-bias-correction'] !== true && !epsilonHat;
    return createInstance('adam', config.learningRate, options, adamSimd(inside, corrected), ({ r, zeros }) => {
      const firstMoment = zeros();
      const secondMoment = zeros();
      const { beta1: b1, beta2: b2 } = config;
      const beta1 = r(b1);
      const beta2 = r(b2);
      const oneMinusBeta1 = r(1 - b1);
      const oneMinusBeta2 = r(1 - b2);
      const eps = r(config.epsilon);
      const state = { first_moment: firstMoment, second_moment: secondMoment, t: 0 };
      const powers1 = new PowerSequence(b1);
      const powers2 = new PowerSequence(b2);
      return {
        state,
        prepare(lr) {
          const t = ++state.t;
          // beta ** t correctly rounded, as glibc's pow (behind Python's **) returns it.
          const pow1 = powers1.at(t);
          const pow2 = powers2.at(t);
          const bias1 = r(1 - pow1);
          const bias2 = r(1 - pow2);
          // epsilon-hat: lr_t = lr * sqrt(1 - beta2**t) / (1 - beta1**t), all Python floats.
          const lr_ = epsilonHat ? r((lr * Math.sqrt(1 - pow2)) / (1 - pow1)) : r(lr);
          return { beta1, oneMinusBeta1, beta2, oneMinusBeta2, eps, lr: lr_, bias1, bias2 };
        },
        update(x, dx, { beta1, oneMinusBeta1, beta2, oneMinusBeta2, eps, lr, bias1, bias2 }) {
          for (let i = 0; i < x.length; i++) {
            const g = r(dx[i]!);
            firstMoment[i] = r(r(beta1 * firstMoment[i]!) + r(oneMinusBeta1 * g));
            secondMoment[i] = r(r(beta2 * secondMoment[i]!) + r(r(oneMinusBeta2 * g) * g));
            const m = corrected ? r(firstMoment[i]! / bias1) : firstMoment[i]!;
            const v = corrected ? r(secondMoment[i]! / bias2) : secondMoment[i]!;
            x[i] = r(x[i]! - adaptiveStep(r, r(lr * m), v, eps, inside));
          }
        },
      };
    });
  },
};
