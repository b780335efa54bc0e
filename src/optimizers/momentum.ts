import {
  type Conventions,
  type CreateOptions,
  type MomentumConfig,
  type Optimizer,
  type OptimizerRule,
  requireNonNegative,
  requireObject,
  requireTag,
  requireUnitInterval,
  validateConventions,
} from '../reference/index.js';
import { momentumSimd } from '../kernels/index.js';
import { createInstance } from './instance.js';

const conventions = ['dampened-momentum', 'lr-placement'] as const;

function validate(config: MomentumConfig, chosen?: Conventions): void {
  requireObject('config', config);
  requireTag('config.optimizer', config.optimizer, 'momentum');
  requireNonNegative('config.learningRate', config.learningRate);
  requireUnitInterval('config.rho', config.rho);
  validateConventions('momentum', conventions, chosen);
}

/**
 * SGD + Momentum, docs/spec.md section 2: `vx = rho * vx + dx; x -= learning_rate * vx`.
 * The learning rate stays outside the velocity, so a learning-rate change takes
 * effect on the whole velocity at once. Variants: `dampened-momentum`
 * (`vx = rho * vx + (1 - rho) * dx`) and `lr-placement`
 * (`v = rho * v - learning_rate * dx; x += v`, Sutskever / TF / Keras).
 */
export const momentum: OptimizerRule<MomentumConfig> = {
  kind: 'optimizer',
  name: 'momentum',
  title: 'SGD + Momentum',
  hyperparameters: ['learningRate', 'rho'],
  stateKeys: ['vx'],
  conventions,
  validate,
  create(config: MomentumConfig, options: CreateOptions): Optimizer {
    // options first: the conventions are read from it before the kernel is built.
    requireObject('options', options);
    validate(config, options.conventions);
    const dampened = options.conventions?.['dampened-momentum'] === true;
    const lrInside = options.conventions?.['lr-placement'] === true;
    return createInstance(
      'momentum',
      config.learningRate,
      options,
      momentumSimd(dampened, lrInside),
      ({ r, zeros }) => {
        const vx = zeros();
        const rho = r(config.rho);
        // (1 - rho) is a Python float expression, rounded to the dtype where it meets dx.
        const oneMinusRho = r(1 - config.rho);
        return {
          state: lrInside ? { v: vx } : { vx },
          prepare: (lr) => ({ rho, oneMinusRho, lr: r(lr) }),
          update(x, dx, { rho, oneMinusRho, lr }) {
            for (let i = 0; i < x.length; i++) {
              const g = r(dx[i]!);
              const push = dampened ? r(oneMinusRho * g) : g;
              if (lrInside) {
                vx[i] = r(r(rho * vx[i]!) - r(lr * push));
                x[i] = r(x[i]! + vx[i]!);
              } else {
                vx[i] = r(r(rho * vx[i]!) + push);
                x[i] = r(x[i]! - r(lr * vx[i]!));
              }
            }
          },
        };
      },
    );
  },
};
