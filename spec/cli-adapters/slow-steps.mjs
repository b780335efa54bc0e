// SGD whose every step takes about 20 ms (a synchronous sleep, which holds its thread as a busy
// step would without spending a core), and whose step with a gradient of 1e9 sleeps for ever, so
// that only terminating its worker ends it: a batch of many quick-enough steps is not a hang; one
// hung step inside a batch is (spec/isolation.spec.ts, spec/deadlines.spec.ts).
const asleep = new Int32Array(new SharedArrayBuffer(4));
export default {
  name: 'slow steps',
  dtype: 'float64',
  optimizers: ['sgd'],
  create(config, x0) {
    const x = Float64Array.from(x0);
    return {
      step(grad) {
        Atomics.wait(asleep, 0, 0, grad[0] === 1e9 ? Number.POSITIVE_INFINITY : 20);
        for (let i = 0; i < x.length; i++) x[i] -= config.learningRate * grad[i];
        return x;
      },
    };
  },
};
