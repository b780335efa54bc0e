/**
 * An optimspec adapter over toygrad 2.6.0's own trainers (dist/trainers/abstract.js),
 * a TypeScript port of convnetjs's later GitHub Trainer, the one with Nesterov
 * and Adam that convnetjs 0.3.0 on npm never got: `Trainers.SGD` (with
 * `momentum` 0 or rho), `Trainers.Nesterov`, `Trainers.Adagrad` and
 * `Trainers.Adam`. toygrad keeps parameters, gradients and its accumulators in
 * Float32Array (`class Buffer extends Float32Array`) and computes each update
 * in JavaScript numbers, so the adapter is float32. It has no RMSProp (only
 * Adadelta) and no learning-rate schedules: none are declared.
 *
 *   node bin/optimspec.js check examples/toygrad.mjs
 *
 * What this adapter does NOT change: every update is toygrad's own
 * `train()`. The trainer is built on a stub network whose `forward` and
 * `backward` do nothing and whose `getParamsAndGrads()` returns one
 * `{ params: x, grads: g }` pair of Float32Arrays, as a toygrad layer does;
 * each step copies the checker's gradient into `g` (toygrad zeroes it after
 * use) and calls `trainer.train()`. Options: `batchSize: 1` (every call
 * updates; the counter `k`, which Adam uses as its step count, counts calls),
 * `l1decay: 0`, `l2decay: 0`. Bridged: the learning rate of a step is written
 * to `trainer.learningRate`, which `train` reads on every call.
 */
import { Trainers } from 'toygrad';

function makeTrainer(net, config) {
  const common = { learningRate: config.learningRate, batchSize: 1, l1decay: 0, l2decay: 0 };
  switch (config.optimizer) {
    case 'sgd':
      return new Trainers.SGD(net, { ...common, momentum: 0 });
    case 'momentum':
      return new Trainers.SGD(net, { ...common, momentum: config.rho });
    case 'nesterov':
      return new Trainers.Nesterov(net, { ...common, momentum: config.rho });
    case 'adagrad':
      return new Trainers.Adagrad(net, { ...common, eps: config.epsilon });
    case 'adam':
      return new Trainers.Adam(net, { ...common, beta1: config.beta1, beta2: config.beta2, eps: config.epsilon });
    default:
      throw new Error(`unsupported optimizer ${JSON.stringify(config.optimizer)}`);
  }
}

/** @type {import('optimspec').Adapter} */
export default {
  name: 'toygrad 2.6.0 Trainers',
  dtype: 'float32',
  optimizers: ['sgd', 'momentum', 'nesterov', 'adagrad', 'adam'],
  schedules: [],
  create(config, x0) {
    const params = Float32Array.from(x0);
    const grads = new Float32Array(x0.length);
    const net = {
      forward() {},
      backward() {
        return 0;
      },
      getParamsAndGrads() {
        return [{ params, grads }];
      },
    };
    const trainer = makeTrainer(net, config);
    return {
      step(grad, learningRate) {
        if (learningRate !== undefined) trainer.learningRate = learningRate;
        grads.set(grad);
        trainer.train(null, null);
        return params.slice();
      },
    };
  },
};
