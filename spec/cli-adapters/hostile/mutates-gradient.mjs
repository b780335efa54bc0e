// SGD that zeroes the gradient it was handed: the worker reports the change, so the immutability check still sees it.
export default {
  name: 'mutates-gradient',
  dtype: 'float64',
  optimizers: ['sgd'],
  create(config, x0) {
    const x = Float64Array.from(x0);
    return {
      step(grad, learningRate) {
        const lr = learningRate ?? config.learningRate;
        for (let i = 0; i < x.length; i++) x[i] -= lr * grad[i];
        grad.fill(0);
        return x;
      },
    };
  },
};
