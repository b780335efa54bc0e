// A planted bug: SGD that applies the learning rate of the previous step after a
// change (a real class of scheduler bug). No convention explains it: verdict fails.
export default {
  name: 'sgd with a stale learning rate',
  dtype: 'float64',
  optimizers: ['sgd'],
  create(config, x0) {
    const x = Float64Array.from(x0);
    let lr = config.learningRate;
    return {
      step(grad, learningRate) {
        for (let i = 0; i < x.length; i++) x[i] -= lr * grad[i];
        if (learningRate !== undefined) lr = learningRate;
        return x;
      },
    };
  },
};
