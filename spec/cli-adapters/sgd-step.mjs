// A plain-JavaScript adapter of SGD and step decay, written as a user would (lecture.md sections 1 and 7):
// `x -= learning_rate * dx` and `initial * factor ** floor(t / every)` in float64. Everything else is unsupported.
export default {
  name: 'hand-written sgd and step decay (mjs)',
  dtype: 'float64',
  optimizers: ['sgd'],
  schedules: ['step'],
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
  schedule(config) {
    return (t) => config.initial * config.factor ** Math.floor(t / config.every);
  },
};
