// SGD whose 3rd step calls process.exit(0): in-process, that ended the checker with exit 0 and no output.
const sgd = (x0, config) => {
  const x = Float64Array.from(x0);
  return { x, lr: config.learningRate, update(grad, learningRate) { if (learningRate !== undefined) this.lr = learningRate; for (let i = 0; i < x.length; i++) x[i] -= this.lr * grad[i]; return x; } };
};
let calls = 0;
export default {
  name: 'exits',
  dtype: 'float64',
  optimizers: ['sgd', 'momentum'],
  create(config, x0) {
    const s = sgd(x0, config);
    return {
      step(grad, learningRate) {
        calls++;
        if (calls === 3) process.exit(0);
        return s.update(grad, learningRate);
      },
    };
  },
};
