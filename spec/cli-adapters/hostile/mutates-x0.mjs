// SGD that zeroes the x0 it was handed, after copying it: a change the worker reports with the script's answer.
export default {
  name: 'mutates-x0',
  dtype: 'float64',
  optimizers: ['sgd'],
  create(config, x0) {
    const x = Float64Array.from(x0);
    x0.fill(0);
    return {
      step(grad, learningRate) {
        const lr = learningRate ?? config.learningRate;
        for (let i = 0; i < x.length; i++) x[i] -= lr * grad[i];
        return x;
      },
    };
  },
};
