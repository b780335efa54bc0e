import {
  type Conventions,
  type CreateOptions,
  type NesterovConfig,
  type Optimizer,
  type OptimizerRule,
  requireNonNegative,
  requireObject,
  requireTag,
  requireUnitInterval,
  validateConventions,
} from '../reference/index.js';
import { nesterovSimd } from '../kernels/index.js';
import { createInstance } from './instance.js';

const conventions = ['lr-placement'] as const;

function validate(config: NesterovConfig, chosen?: Conventions): void {
  requireObject('config', config);
  requireTag('config.optimizer', config.optimizer, 'nesterov');
  requireNonNegative('config.learningRate', config.learningRate);
  requireUnitInterval('config.rho', config.rho);
  validateConventions('nesterov', conventions, chosen);
}

/**
 * Nesterov momentum, docs/spec.md section 3, in the change-of-variables form:
 * `old_v = v; v = rho * v - learning_rate * dx; x += -rho * old_v + (1 + rho) * v`.
 * The learning rate sits inside the velocity. Variant `lr-placement`:
 * `b = rho * b + dx; x -= learning_rate * (dx + rho * b)` (PyTorch, TF.js, optax).
 */
export const nesterov: OptimizerRule<NesterovConfig> = {
  kind: 'optimizer',
  name: 'nesterov',
  title: 'Nesterov Momentum',
  hyperparameters: ['learningRate', 'rho'],
  stateKeys: ['v'],
  conventions,
  validate,
  create(config: NesterovConfig, options: CreateOptions): Optimizer {
    // options first: the conventions are read from it before the kernel is built.
    requireObject('options', options);
    validate(config, options.conventions);
    const lrOutside = options.conventions?.['lr-placement'] === true;
    return createInstance('nesterov', config.learningRate, options, nesterovSimd(lrOutside), ({ r, zeros }) => {
      const v = zeros();
      const rho = r(config.rho);
      const minusRho = r(-config.rho);
      // (1 + rho) is a Python float expression, rounded to the dtype where it meets v.
      const onePlusRho = r(1 + config.rho);
      return {
        state: lrOutside ? { b: v } : { v },
        prepare: (lr) => ({ rho, minusRho, onePlusRho, lr: r(lr) }),
        update(x, dx, { rho, minusRho, onePlusRho, lr }) {
          for (let i = 0; i < x.length; i++) {
            const g = r(dx[i]!);
            if (lrOutside) {
              v[i] = r(r(rho * v[i]!) + g);
              x[i] = r(x[i]! - r(lr * r(g + r(rho * v[i]!))));
            } else {
              const oldV = v[i]!;
              v[i] = r(r(rho * oldV) - r(lr * g));
              x[i] = r(x[i]! + r(r(minusRho * oldV) + r(onePlusRho * v[i]!)));
            }
          }
        },
      };
    });
  },
};
