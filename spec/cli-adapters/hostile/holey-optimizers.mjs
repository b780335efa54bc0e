// An adapter whose optimizers is a holey array of length 2^32 - 1 with only [0] set: a walk of it element by
// element (forEach, indexOf, a spread, structured clone) would keep the checker busy for minutes.
const optimizers = ['sgd'];
optimizers.length = 2 ** 32 - 1;

export default {
  name: 'holey optimizers',
  dtype: 'float64',
  optimizers,
  create(config, x0) {
    const x = Float64Array.from(x0);
    return {
      step(grad) {
        for (let i = 0; i < x.length; i++) x[i] -= config.learningRate * grad[i];
        return x;
      },
    };
  },
};
