/**
 * An optimspec adapter over TensorFlow.js's own optimizers on its WebGL backend
 * (@tensorflow/tfjs-core with @tensorflow/tfjs-backend-webgl): every op of `applyGradients`
 * runs as a fragment shader, `#version 300 es` with `precision highp float`, so the
 * adapter declares GLSL ES 3.00 highp arithmetic: float32 values, `+ - *` correctly
 * rounded, division within 2.5 ULP, `sqrt` as `1.0 / inversesqrt`. It needs a browser:
 *
 *   node bin/optimspec.js check --browser examples/tfjs-webgl.mjs
 *
 * Headless Chromium renders WebGL 2 without a GPU through SwiftShader (Chromium's software
 * Vulkan under ANGLE). Where WebGL cannot start, loading fails with a message saying so.
 *
 * What this adapter changes from TF.js's defaults: `WEBGL_CPU_FORWARD` is off. TF.js runs an
 * op on its CPU kernels instead of a shader when every input has fewer than 128 elements and
 * is not yet on the GPU (backend_webgl.js `shouldExecuteOnCPU`); the checker's vectors are
 * that small, so with forwarding its verdicts would be partly the CPU backend's (the `tfjs`
 * row). Larger models run on the shaders, which is what this row judges. AdaGrad's epsilon is
 * bridged as in examples/tfjs.mjs: the backend's `epsilon()` (1e-7 with float32 textures, 1e-4
 * with float16 ones) answers the configured value during one `applyGradients`.
 * Several tensors are not declared (the `tfjs` row checks that code, which is the backend's
 * same optimizer classes); TF.js has no learning-rate schedules.
 */
const INSTALL =
  'npm install --save-dev @tensorflow/tfjs-core @tensorflow/tfjs-backend-webgl, and run it with check --browser';

async function importTf() {
  try {
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-webgl');
    return tf;
  } catch (error) {
    throw new Error(
      `this adapter needs TensorFlow.js with its WebGL backend where it is bundled (${error?.message ?? error}); install it with: ${INSTALL}`,
      { cause: error },
    );
  }
}

const tf = await importTf();
tf.env().set('WEBGL_CPU_FORWARD', false);
if (!(await tf.setBackend('webgl')))
  throw new Error(
    'TF.js could not initialise its WebGL backend in this browser (no WebGL 2 context: a Chromium without GPU or SwiftShader); run it in a Chromium that renders WebGL 2, e.g. with --use-angle=swiftshader --enable-unsafe-swiftshader',
  );
await tf.ready();
// Whether TF.js renders to float32 textures (else float16 ones, whose values are not float32).
const textures = tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED') ? 'float32' : 'float16';

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
  name: `TensorFlow.js ${tf.version_core} (webgl backend, ${textures} textures)`,
  dtype: 'float32',
  arithmetic: 'glsl-es-3.00-highp',
  optimizers: ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam'],
  schedules: [],
  create(config, x0) {
    const optimizer = makeOptimizer(config);
    const variable = tf.variable(tf.tensor1d(Float32Array.from(x0)));
    const epsilon = config.optimizer === 'adagrad' ? config.epsilon : undefined;
    const step = async (grad, learningRate) => {
      if (learningRate !== undefined) setLearningRate(optimizer, config, learningRate);
      tf.tidy(() =>
        withEpsilon(epsilon, () => optimizer.applyGradients({ [variable.name]: tf.tensor1d(Float32Array.from(grad)) })),
      );
      return (await variable.data()).slice();
    };
    return {
      step,
      async steps(grads, learningRates) {
        const out = [];
        for (let k = 0; k < grads.length; k++) out.push(await step(grads[k], learningRates?.[k]));
        return out;
      },
      dispose() {
        optimizer.dispose();
        variable.dispose();
      },
    };
  },
};
