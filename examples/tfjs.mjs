/**
 * An optimspec adapter over TensorFlow.js's own optimizers (@tensorflow/tfjs-core
 * with the pure-JavaScript CPU backend by default): `tf.train.sgd`, `momentum` (with
 * and without `useNesterov`), `adagrad`, `rmsprop` and `adam`. TF.js computes in
 * float32. It has no learning-rate schedules, so none are declared.
 *
 *   node bin/optimspec.js check examples/tfjs.mjs
 *
 * The backend is a parameter: `tfjsAdapter('wasm')` runs the same optimizers on
 * @tensorflow/tfjs-backend-wasm (XNNPACK and C++ kernels compiled to WebAssembly), as the
 * matrix's `tfjs-wasm` row does. To check it from the command line, write a module of
 * your own: `import { tfjsAdapter } from './tfjs.mjs'; export default await tfjsAdapter('wasm');`.
 * TF.js has one current backend per process: each adapter makes its own backend the
 * current one before it creates or steps anything, so a CPU and a WASM adapter can be
 * used side by side.
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
/** The backends this adapter knows, with the package each needs besides tfjs-core. */
const BACKENDS = { cpu: '@tensorflow/tfjs-backend-cpu', wasm: '@tensorflow/tfjs-backend-wasm' };

/** TF.js is not a dependency of optimspec: when it is missing, say how to install it rather than only that it is missing. */
async function importTf(backend) {
  try {
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    if (backend !== 'cpu') await import(BACKENDS[backend]);
    return tf;
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes("'@tensorflow/")) throw error;
    const install = backend === 'cpu' ? INSTALL : `${INSTALL} ${BACKENDS[backend]}`;
    throw new Error(
      `this adapter needs TensorFlow.js, which is not installed where it runs (${error.message}); install it with: ${install}`,
      { cause: error },
    );
  }
}

/**
 * The adapter over TF.js's optimizers on `backend` ('cpu', the default, or 'wasm'): its
 * name says which. Resolves once the backend is initialized (the WASM one loads its
 * .wasm file).
 */
export async function tfjsAdapter(backend = 'cpu') {
  if (!Object.hasOwn(BACKENDS, backend))
    throw new RangeError(
      `tfjsAdapter: backend must be one of ${Object.keys(BACKENDS).join(', ')}, got ${JSON.stringify(backend)}`,
    );
  const tf = await importTf(backend);
  if (!(await tf.setBackend(backend)))
    throw new Error(`tfjsAdapter: TF.js could not initialize its ${backend} backend`);
  // Once initialized, setBackend switches synchronously (tfjs-core's engine sets the
  // backend before its first await), so a step can make its backend current without awaiting.
  const use = () => {
    if (tf.getBackend() !== backend) void tf.setBackend(backend);
  };
  return makeAdapter(tf, backend, use);
}

function makeOptimizerOf(tf, config) {
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

function withEpsilon(tf, epsilon, apply) {
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

/** The adapter object over `tf` on `backend`; `use` makes that backend the current one. */
function makeAdapter(tf, backend, use) {
  const makeOptimizer = (config) => makeOptimizerOf(tf, config);
  /** @type {import('optimspec').Adapter} */
  const adapter = {
    name: `TensorFlow.js ${tf.version_core} (${backend} backend)`,
    dtype: 'float32',
    optimizers: ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam'],
    schedules: [],
    create(config, x0) {
      use();
      const optimizer = makeOptimizer(config);
      const variable = tf.variable(tf.tensor1d(Float32Array.from(x0)));
      const epsilon = config.optimizer === 'adagrad' ? config.epsilon : undefined;
      const step = (grad, learningRate) => {
        use();
        if (learningRate !== undefined) setLearningRate(optimizer, config, learningRate);
        tf.tidy(() =>
          withEpsilon(tf, epsilon, () =>
            optimizer.applyGradients({ [variable.name]: tf.tensor1d(Float32Array.from(grad)) }),
          ),
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
      use();
      const [{ config, x0 }] = spec.groups;
      const optimizer = makeOptimizer(config);
      const variables = x0.map((values) => tf.variable(tf.tensor1d(Float32Array.from(values))));
      const epsilon = config.optimizer === 'adagrad' ? config.epsilon : undefined;
      const values = () => variables.map((v) => v.dataSync().slice());
      return {
        step(grads, learningRates) {
          use();
          if (learningRates?.[0] !== undefined) setLearningRate(optimizer, config, learningRates[0]);
          tf.tidy(() => {
            const map = {};
            variables.forEach((v, i) => {
              map[v.name] = grads[i] === undefined ? null : tf.tensor1d(Float32Array.from(grads[i]));
            });
            withEpsilon(tf, epsilon, () => optimizer.applyGradients(map));
          });
          return values();
        },
        async save() {
          use();
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
          use();
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
  return adapter;
}

/** The CPU backend's adapter: what `optimspec check examples/tfjs.mjs` checks. */
export default await tfjsAdapter();
