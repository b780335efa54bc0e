// SGD whose every step takes 40 ms: a run cut by --total-timeout.
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
        const until = Date.now() + 40;
        while (Date.now() < until);
        return s.update(grad, learningRate);
      },
    };
  },
};
