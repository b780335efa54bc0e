/**
 * An optimspec adapter over deeplearn.js 0.5.1's own optimizers (the
 * predecessor of TensorFlow.js, its own optimizer code in
 * dist/optimizers/*.js): `dl.train.sgd`, `momentum` (with and without
 * `useNesterov`), `adagrad`, `rmsprop` and `adam`, run eagerly through
 * `applyGradients` on deeplearn's CPU backend (the one Node gets), which
 * computes in float32. It has no learning-rate schedules, so none are declared.
 *
 *   node bin/optimspec.js check examples/deeplearn.mjs
 *
 * What this adapter does NOT change: every update is deeplearn's own
 * `applyGradients`. Two things its API does not expose are bridged:
 * - the learning rate of a step: `setLearningRate` for SGD and momentum (they
 *   cache `-learningRate` as the scalar `c`); AdaGrad, RMSProp and Adam build
 *   `c` once in their constructor (`scalar(-learningRate)`, RMSProp
 *   `scalar(learningRate)`) and have no setter, so the adapter replaces `c`
 *   with the scalar their constructor would have built;
 * - AdaGrad's epsilon: deeplearn has no parameter for it and builds
 *   `scalar(1e-8)` in the constructor; the adapter replaces that scalar with
 *   the configured value, so the checker can probe other epsilons.
 * AdaGrad keeps deeplearn's default initialAccumulatorValue (0.1): that is what
 * users get.
 */
import dl from 'deeplearn';

function makeOptimizer(config) {
  switch (config.optimizer) {
    case 'sgd':
      return dl.train.sgd(config.learningRate);
    case 'momentum':
      return dl.train.momentum(config.learningRate, config.rho, false);
    case 'nesterov':
      return dl.train.momentum(config.learningRate, config.rho, true);
    case 'adagrad': {
      const optimizer = dl.train.adagrad(config.learningRate);
      replaceScalar(optimizer, 'epsilon', config.epsilon);
      return optimizer;
    }
    case 'rmsprop':
      return dl.train.rmsprop(config.learningRate, config.decayRate, 0, config.epsilon);
    case 'adam':
      return dl.train.adam(config.learningRate, config.beta1, config.beta2, config.epsilon);
    default:
      throw new Error(`unsupported optimizer ${JSON.stringify(config.optimizer)}`);
  }
}

function replaceScalar(optimizer, field, value) {
  optimizer[field].dispose();
  optimizer[field] = dl.keep(dl.scalar(value));
}

function setLearningRate(optimizer, config, learningRate) {
  switch (config.optimizer) {
    case 'sgd':
    case 'momentum':
    case 'nesterov':
      optimizer.setLearningRate(learningRate);
      break;
    case 'rmsprop':
      optimizer.learningRate = learningRate;
      replaceScalar(optimizer, 'c', learningRate);
      break;
    default:
      optimizer.learningRate = learningRate;
      replaceScalar(optimizer, 'c', -learningRate);
  }
}

/** @type {import('optimspec').Adapter} */
export default {
  name: `deeplearn.js ${dl.version} (cpu backend)`,
  dtype: 'float32',
  optimizers: ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam'],
  schedules: [],
  create(config, x0) {
    const optimizer = makeOptimizer(config);
    const variable = dl.variable(dl.tensor1d(Float32Array.from(x0)));
    return {
      step(grad, learningRate) {
        if (learningRate !== undefined) setLearningRate(optimizer, config, learningRate);
        dl.tidy(() => optimizer.applyGradients({ [variable.name]: dl.tensor1d(Float32Array.from(grad)) }));
        return variable.dataSync().slice();
      },
      dispose() {
        optimizer.dispose();
        variable.dispose();
      },
    };
  },
};
