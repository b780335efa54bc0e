/**
 * optimspec adapters over brain.js 1.6.1's own weight update
 * (`NeuralNetwork.prototype.adjustWeights`, dist/neural-network.js): plain
 * training ("momentum", the default) and `praxis: 'adam'`. brain.js keeps
 * weights, biases, deltas and its optimizer state in Float32Array (`zeros` and
 * `randos` return `new Float32Array(size)`) and computes each update in
 * JavaScript numbers before storing it there, so the adapters are float32.
 * brain.js has no learning-rate schedules, no Nesterov, AdaGrad or RMSProp, and
 * no momentum-free training (its option check refuses `momentum: 0`): none of
 * these are declared.
 *
 * brain.js updates a network's weights and its biases with different code, so
 * there are two adapters: the default export checks the weights, `biases` the
 * biases.
 *
 *   node bin/optimspec.js check examples/brainjs.mjs
 *
 * What these adapters do NOT change: every update is brain.js's own
 * `adjustWeights` (for Adam `_adjustWeightsAdam`, which `initialize` installs),
 * on a network of sizes [1, n] whose input is 1: coordinate i of the parameter
 * is `weights[1][i][0]` (or `biases[1][i]`). brain.js's backpropagated
 * `deltas` are the negative gradient (it adds `learningRate * delta`), so each
 * step stores `-grad` in `deltas[1]` and calls `adjustWeights()`.
 * Bridged: the learning rate and momentum are written to `net.trainOpts`, the
 * fields `adjustWeights` reads on every call. brain.js's option check
 * (`validateTrainingOptions`) refuses a learningRate or momentum outside (0, 1)
 * as "out of normal training range"; the update code has no such limit, so the
 * adapters bypass the check and the rule is judged on every rate the lecture
 * allows.
 */
import brain from 'brain.js';

function makeNetwork(config, size) {
  const adam = config.optimizer === 'adam';
  const net = new brain.NeuralNetwork(
    adam ? { praxis: 'adam', beta1: config.beta1, beta2: config.beta2, epsilon: config.epsilon } : {},
  );
  net.trainOpts.learningRate = config.learningRate;
  if (config.optimizer === 'momentum') net.trainOpts.momentum = config.rho;
  net.sizes = [1, size];
  net.initialize();
  net.outputs[0][0] = 1;
  return net;
}

function adapter(part) {
  const read = part === 'weights' ? (net, i) => net.weights[1][i][0] : (net, i) => net.biases[1][i];
  const optimizers = part === 'weights' ? ['momentum', 'adam'] : ['sgd', 'momentum', 'adam'];
  return {
    name: `brain.js 1.6.1 NeuralNetwork ${part}`,
    dtype: 'float32',
    optimizers,
    schedules: [],
    create(config, x0) {
      if (!optimizers.includes(config.optimizer))
        throw new Error(`unsupported optimizer ${JSON.stringify(config.optimizer)}`);
      const net = makeNetwork(config, x0.length);
      for (let i = 0; i < x0.length; i++) {
        if (part === 'weights') net.weights[1][i][0] = x0[i];
        else net.biases[1][i] = x0[i];
      }
      return {
        step(grad, learningRate) {
          if (learningRate !== undefined) net.trainOpts.learningRate = learningRate;
          for (let i = 0; i < grad.length; i++) net.deltas[1][i] = -grad[i];
          net.adjustWeights();
          return Float32Array.from(grad, (_, i) => read(net, i));
        },
      };
    },
  };
}

/** @type {import('optimspec').Adapter} */
export default adapter('weights');

/** @type {import('optimspec').Adapter} */
export const biases = adapter('biases');
