import {
  type Conventions,
  type CreateOptions,
  type Optimizer,
  type OptimizerRule,
  requireNonNegative,
  requireObject,
  requireTag,
  type SgdConfig,
  validateConventions,
} from '../reference/index.js';
import { sgdSimd } from '../kernels/index.js';
import { createInstance } from './instance.js';

function validate(config: SgdConfig, conventions?: Conventions): void {
  requireObject('config', config);
  requireTag('config.optimizer', config.optimizer, 'sgd');
  requireNonNegative('config.learningRate', config.learningRate);
  validateConventions('sgd', [], conventions);
}

/**
 * Vanilla SGD, docs/spec.md section 1: `x -= learning_rate * dx`
 * (descent; the notes' `+=` is a transcription slip).
 */
export const sgd: OptimizerRule<SgdConfig> = {
  kind: 'optimizer',
  name: 'sgd',
  title: 'SGD',
  hyperparameters: ['learningRate'],
  stateKeys: [],
  conventions: [],
  validate,
  create(config: SgdConfig, options: CreateOptions): Optimizer {
    // options first: the conventions are read from it before the kernel is built.
    requireObject('options', options);
    validate(config, options.conventions);
    return createInstance('sgd', config.learningRate, options, sgdSimd, ({ r }) => ({
      state: {},
      prepare: (lr) => ({ lr: r(lr) }),
      update(x, dx, { lr }) {
        for (let i = 0; i < x.length; i++) {
          const g = r(dx[i]!);
          x[i] = r(x[i]! - r(lr * g));
        }
      },
    }));
  },
};
