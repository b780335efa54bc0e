// SGD whose every step takes 40 ms (a synchronous sleep: it holds the thread, not a core): a run cut by --total-timeout.
const asleep = new Int32Array(new SharedArrayBuffer(4));
const sgd = (x0, config) => {
  const x = Float64Array.from(x0);
  return {
    x,
    lr: config.learningRate,
    update(grad, learningRate) {
      if (learningRate !== undefined) this.lr = learningRate;
      for (let i = 0; i < x.length; i++) x[i] -= this.lr * grad[i];
      return x;
    },
  };
};
export default {
  name: 'slow',
  dtype: 'float64',
  optimizers: ['sgd', 'momentum'],
  create(config, x0) {
    const s = sgd(x0, config);
    return {
      step(grad, learningRate) {
        Atomics.wait(asleep, 0, 0, 40);
        return s.update(grad, learningRate);
      },
    };
  },
};
