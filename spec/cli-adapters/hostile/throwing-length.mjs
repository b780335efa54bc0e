// SGD whose 3rd step returns an array-like whose length getter throws.
const sgd = (x0, config) => {
  const x = Float64Array.from(x0);
  return { x, lr: config.learningRate, update(grad, learningRate) { if (learningRate !== undefined) this.lr = learningRate; for (let i = 0; i < x.length; i++) x[i] -= this.lr * grad[i]; return x; } };
};
let calls = 0;
export default {
  name: 'throwing-length',
  dtype: 'float64',
  optimizers: ['sgd', 'momentum'],
  create(config, x0) {
    const s = sgd(x0, config);
    return {
      step(grad, learningRate) {
        calls++;
        if (calls === 3) return { get length() { throw new Error('length getter'); } };
        return s.update(grad, learningRate);
      },
    };
  },
};
