// SGD whose dispose throws a null-prototype object.
export default {
  name: 'throwing-dispose',
  dtype: 'float64',
  optimizers: ['sgd'],
  create(config, x0) {
    const x = Float64Array.from(x0);
    return {
      step(grad, learningRate) {
        const lr = learningRate ?? config.learningRate;
        for (let i = 0; i < x.length; i++) x[i] -= lr * grad[i];
        return x;
      },
      dispose() {
        throw Object.create(null);
      },
    };
  },
};
