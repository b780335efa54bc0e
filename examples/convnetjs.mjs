/**
 * An optimspec adapter over convnetjs 0.3.0's own `Trainer` (build/convnet.js,
 * Andrej Karpathy's library, the one the CS231n notes grew up with): `method`
 * 'sgd' with `momentum` 0 (SGD) or rho (Momentum), 'adagrad', and 'windowgrad'
 * (its RMSProp: "adagrad but with a moving window weighted average"). convnetjs
 * computes in JavaScript numbers and keeps parameters, gradients and its
 * accumulators in Float64Array (`zeros(n)` returns `new Float64Array(n)`), so
 * the adapter is float64. The npm release 0.3.0 has no Nesterov and no Adam
 * (those exist only in later, unpublished revisions of the GitHub source), and
 * no learning-rate schedules: none are declared.
 *
 *   node bin/optimspec.js check examples/convnetjs.mjs
 *
 * What this adapter does NOT change: every update is convnetjs's own
 * `Trainer.prototype.train`. The trainer is built on a stub network whose
 * `forward` and `backward` do nothing and whose `getParamsAndGrads()` returns
 * one `{ params: x, grads: g }` pair; each step copies the checker's gradient
 * into `g` (convnetjs zeroes `g` after using it, as it does to a network's
 * gradient buffers) and calls `trainer.train()`. The options are those a user
 * sets for plain optimization: `batch_size: 1` (so every call updates; the
 * trainer's counter `k` counts calls), `l1_decay: 0` and `l2_decay: 0`.
 * Bridged: the learning rate of a step is written to `trainer.learning_rate`,
 * the field `train` reads on every call.
 */
import convnetjs from 'convnetjs';

function trainerOptions(config) {
  const common = { learning_rate: config.learningRate, batch_size: 1, l1_decay: 0, l2_decay: 0 };
  switch (config.optimizer) {
    case 'sgd':
      return { ...common, method: 'sgd', momentum: 0 };
    case 'momentum':
      return { ...common, method: 'sgd', momentum: config.rho };
    case 'adagrad':
      return { ...common, method: 'adagrad', eps: config.epsilon };
    case 'rmsprop':
      return { ...common, method: 'windowgrad', ro: config.decayRate, eps: config.epsilon };
    default:
      throw new Error(`unsupported optimizer ${JSON.stringify(config.optimizer)}`);
  }
}

/** @type {import('optimspec').Adapter} */
export default {
  name: 'convnetjs 0.3.0 Trainer',
  dtype: 'float64',
  optimizers: ['sgd', 'momentum', 'adagrad', 'rmsprop'],
  schedules: [],
  create(config, x0) {
    const params = Float64Array.from(x0);
    const grads = new Float64Array(x0.length);
    const net = {
      forward() {},
      backward() {
        return 0;
      },
      getParamsAndGrads() {
        return [{ params, grads }];
      },
    };
    const trainer = new convnetjs.Trainer(net, trainerOptions(config));
    return {
      step(grad, learningRate) {
        if (learningRate !== undefined) trainer.learning_rate = learningRate;
        grads.set(grad);
        trainer.train(null, null);
        return params.slice();
      },
    };
  },
};
