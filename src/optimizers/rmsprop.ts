import {
  type Conventions,
  type CreateOptions,
  type Optimizer,
  type OptimizerRule,
  requireNonNegative,
  requireObject,
  requireTag,
  requireUnitInterval,
  type RmspropConfig,
  validateConventions,
} from '../reference/index.js';
import { rmspropSimd } from '../kernels/index.js';
import { adaptiveStep } from './adaptive-step.js';
import { createInstance } from './instance.js';

const conventions = ['epsilon-inside-sqrt', 'initial-accumulator'] as const;

function validate(config: RmspropConfig, chosen?: Conventions): void {
  requireObject('config', config);
  requireTag('config.optimizer', config.optimizer, 'rmsprop');
  requireNonNegative('config.learningRate', config.learningRate);
  requireUnitInterval('config.decayRate', config.decayRate);
  requireNonNegative('config.epsilon', config.epsilon);
  validateConventions('rmsprop', conventions, chosen);
}

/**
 * RMSProp, docs/spec.md section 5: `grad_squared = decay_rate * grad_squared +
 * (1 - decay_rate) * dx * dx; x -= learning_rate * dx / (np.sqrt(grad_squared) + eps)`.
 * `(1 - decay_rate) * dx * dx` is evaluated left to right, as Python does.
 * Variants: `epsilon-inside-sqrt`, `initial-accumulator`.
 */
export const rmsprop: OptimizerRule<RmspropConfig> = {
  kind: 'optimizer',
  name: 'rmsprop',
  title: 'RMSProp',
  hyperparameters: ['learningRate', 'decayRate', 'epsilon'],
  stateKeys: ['grad_squared'],
  conventions,
  validate,
  create(config: RmspropConfig, options: CreateOptions): Optimizer {
    // options first: the conventions are read from it before the kernel is built.
    requireObject('options', options);
    validate(config, options.conventions);
    const inside = options.conventions?.['epsilon-inside-sqrt'] === true;
    const initial = options.conventions?.['initial-accumulator'] ?? 0;
    return createInstance('rmsprop', config.learningRate, options, rmspropSimd(inside), ({ r, zeros }) => {
      const gradSquared = zeros().fill(r(initial));
      const decay = r(config.decayRate);
      const oneMinusDecay = r(1 - config.decayRate);
      const eps = r(config.epsilon);
      return {
        state: { grad_squared: gradSquared },
        prepare: (lr) => ({ decay, oneMinusDecay, eps, lr: r(lr) }),
        update(x, dx, { decay, oneMinusDecay, eps, lr }) {
          for (let i = 0; i < x.length; i++) {
            const g = r(dx[i]!);
            gradSquared[i] = r(r(decay * gradSquared[i]!) + r(r(oneMinusDecay * g) * g));
            x[i] = r(x[i]! - adaptiveStep(r, r(lr * g), gradSquared[i]!, eps, inside));
          }
        },
      };
    });
  },
};
