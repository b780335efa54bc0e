/**
 * An optimspec adapter over TensorFlow.js's own optimizers (@tensorflow/tfjs-core
 * with the pure-JavaScript CPU backend): `tf.train.sgd`, `momentum` (with and
 * without `useNesterov`), `adagrad`, `rmsprop` and `adam`. TF.js computes in
 * float32. It has no learning-rate schedules, so none are declared.
 *
 *   node bin/optimspec.js check examples/tfjs.mjs
 *
 * What this adapter does NOT change: every update is TF.js's own
 * `applyGradients`. Two things TF.js's API does not expose are bridged:
 * - the learning rate of a step: `setLearningRate` for SGD and momentum (they
 *   cache `-learningRate` as a scalar), the `learningRate` field for the others
 *   (they read it on every step);
 * - AdaGrad's epsilon: TF.js has no parameter for it and uses the backend's
 *   `epsilon()` (1e-7 on the CPU backend, the lecture's value). For the duration
 *   of one `applyGradients` call the backend's `epsilon` returns the configured
 *   value instead, so the checker can probe other epsilons.
 *
 * Several tensors (docs/spec.md section 9): `createTensors` makes one variable per
 * tensor and one optimizer for all, stepped with one `applyGradients` per step. A
 * tensor given no gradient is passed as `null` in that map, as `variableGrads` gives
 * it for a variable the loss does not reach (TF.js skips it: `if (gradient == null)
 * return;`). Save and restore are TF.js's own `getWeights()` / `setWeights()` with the
 * optimizer's `getConfig()` (its learning rate), written as JSON as a checkpoint on disk
 * would hold them. TF.js has no parameter groups and no schedules: neither is declared.
 */
const INSTALL = 'npm install --save-dev @tensorflow/tfjs-core @tensorflow/tfjs-backend-cpu';

/** TF.js is not a dependency of optimspec: when it is missing, say how to install it rather than only that it is missing. */
async function importTf() {
  try {
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    return tf;
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes("'@tensorflow/")) throw error;
    throw new Error(
      `this adapter needs TensorFlow.js, which is not installed where it runs (${error.message}); install it with: ${INSTALL}`,
      { cause: error },
    );
  }
}

const tf = await importTf();
await tf.setBackend('cpu');

function makeOptimizer(config) {
  switch (config.optimizer) {
    case 'sgd':
      return tf.train.sgd(config.learningRate);
    case 'momentum':
      return tf.train.momentum(config.learningRate, config.rho, false);
    case 'nesterov':
      return tf.train.momentum(config.learningRate, config.rho, true);
    case 'adagrad':
      // initialAccumulatorValue keeps TF.js's default (0.1): that is what users get.
      return tf.train.adagrad(config.learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(config.learningRate, config.decayRate, 0, config.epsilon);
    case 'adam':
      return tf.train.adam(config.learningRate, config.beta1, config.beta2, config.epsilon);
    default:
      throw new Error(`unsupported optimizer ${JSON.stringify(config.optimizer)}`);
  }
}

function setLearningRate(optimizer, config, learningRate) {
  if (config.optimizer === 'sgd' || config.optimizer === 'momentum' || config.optimizer === 'nesterov')
    optimizer.setLearningRate(learningRate);
  else optimizer.learningRate = learningRate;
}

function withEpsilon(epsilon, apply) {
  if (epsilon === undefined) return apply();
  const backend = tf.backend();
  const own = Object.hasOwn(backend, 'epsilon') ? backend.epsilon : undefined;
  backend.epsilon = () => epsilon;
  try {
    return apply();
  } finally {
    if (own === undefined) delete backend.epsilon;
    else backend.epsilon = own;
  }
}

/** @type {import('optimspec').Adapter} */
export default {
  name: `TensorFlow.js ${tf.version_core} (cpu backend)`,
  dtype: 'float32',
  optimizers: ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam'],
  schedules: [],
  create(config, x0) {
    const optimizer = makeOptimizer(config);
    const variable = tf.variable(tf.tensor1d(Float32Array.from(x0)));
    const epsilon = config.optimizer === 'adagrad' ? config.epsilon : undefined;
    const step = (grad, learningRate) => {
      if (learningRate !== undefined) setLearningRate(optimizer, config, learningRate);
      tf.tidy(() =>
        withEpsilon(epsilon, () => optimizer.applyGradients({ [variable.name]: tf.tensor1d(Float32Array.from(grad)) })),
      );
      return variable.dataSync().slice();
    };
    return {
      step,
      steps(grads, learningRates) {
        return grads.map((grad, k) => step(grad, learningRates?.[k]));
      },
      dispose() {
        optimizer.dispose();
        variable.dispose();
      },
    };
  },
  tensors: { tensors: true, missingGradients: true, saveRestore: true },
  createTensors(spec) {
    const [{ config, x0 }] = spec.groups;
    const optimizer = makeOptimizer(config);
    const variables = x0.map((values) => tf.variable(tf.tensor1d(Float32Array.from(values))));
    const epsilon = config.optimizer === 'adagrad' ? config.epsilon : undefined;
    const values = () => variables.map((v) => v.dataSync().slice());
    return {
      step(grads, learningRates) {
        if (learningRates?.[0] !== undefined) setLearningRate(optimizer, config, learningRates[0]);
        tf.tidy(() => {
          const map = {};
          variables.forEach((v, i) => {
            map[v.name] = grads[i] === undefined ? null : tf.tensor1d(Float32Array.from(grads[i]));
          });
          withEpsilon(epsilon, () => optimizer.applyGradients(map));
        });
        return values();
      },
      async save() {
        const weights = await optimizer.getWeights();
        return {
          config: optimizer.getConfig(),
          weights: await Promise.all(
            weights.map(async (w) => ({
              name: w.name,
              dtype: w.tensor.dtype,
              values: Array.from(await w.tensor.data()),
            })),
          ),
        };
      },
      async restore(state, params) {
        setLearningRate(optimizer, config, state.config.learningRate);
        await optimizer.setWeights(
          state.weights.map((w) => ({
            name: w.name,
            tensor: w.dtype === 'int32' ? tf.scalar(w.values[0], 'int32') : tf.tensor1d(w.values),
          })),
        );
        params.forEach((p, i) => {
          variables[i].assign(tf.tensor1d(Float32Array.from(p)));
        });
      },
      dispose() {
        optimizer.dispose();
        for (const v of variables) v.dispose();
      },
    };
  },
};
