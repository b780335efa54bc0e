// A plain-JavaScript adapter of SGD alone, written as a user would (lecture.md section 1):
// `x -= learning_rate * dx` in float64. Everything else is reported unsupported.
export default {
  name: 'hand-written sgd (mjs)',
  dtype: 'float64',
  optimizers: ['sgd'],
  create(config, x0) {
    const x = Float64Array.from(x0);
    let lr = config.learningRate;
    return {
      step(grad, learningRate) {
        if (learningRate !== undefined) lr = learningRate;
        for (let i = 0; i < x.length; i++) x[i] -= lr * grad[i];
        return x;
      },
    };
  },
};
