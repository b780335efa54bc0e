import {
  type AdagradConfig,
  type Conventions,
  type CreateOptions,
  type Optimizer,
  type OptimizerRule,
  requireNonNegative,
  requireObject,
  requireTag,
  validateConventions,
} from '../reference/index.js';
import { adagradSimd } from '../kernels/index.js';
import { adaptiveStep } from './adaptive-step.js';
import { createInstance } from './instance.js';

const conventions = ['epsilon-inside-sqrt', 'initial-accumulator'] as const;

function validate(config: AdagradConfig, chosen?: Conventions): void {
  requireObject('config', config);
  requireTag('config.optimizer', config.optimizer, 'adagrad');
  requireNonNegative('config.learningRate', config.learningRate);
  requireNonNegative('config.epsilon', config.epsilon);
  validateConventions('adagrad', conventions, chosen);
}

/**
 * AdaGrad, docs/spec.md section 4: `grad_squared += dx * dx;
 * x -= learning_rate * dx / (np.sqrt(grad_squared) + eps)`, eps outside the root.
 * Variants: `epsilon-inside-sqrt`, `initial-accumulator`.
 */
export const adagrad: OptimizerRule<AdagradConfig> = {
  kind: 'optimizer',
  name: 'adagrad',
  title: 'AdaGrad',
  hyperparameters: ['learningRate', 'epsilon'],
  stateKeys: ['grad_squared'],
  conventions,
  validate,
  create(config: AdagradConfig, options: CreateOptions): Optimizer {
    // options first: the conventions are read from it before the kernel is built.
    requireObject('options', options);
    validate(config, options.conventions);
    const inside = options.conventions?.['epsilon-inside-sqrt'] === true;
    const initial = options.conventions?.['initial-accumulator'] ?? 0;
    return createInstance('adagrad', config.learningRate, options, adagradSimd(inside), ({ r, zeros }) => {
      const gradSquared = zeros().fill(r(initial));
      const eps = r(config.epsilon);
      return {
        state: { grad_squared: gradSquared },
        prepare: (lr) => ({ eps, lr: r(lr) }),
        update(x, dx, { eps, lr }) {
          for (let i = 0; i < x.length; i++) {
            const g = r(dx[i]!);
            gradSquared[i] = r(gradSquared[i]! + r(g * g));
            x[i] = r(x[i]! - adaptiveStep(r, r(lr * g), gradSquared[i]!, eps, inside));
          }
        },
      };
    });
  },
};
