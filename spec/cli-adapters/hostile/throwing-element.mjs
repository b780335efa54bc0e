// SGD whose 3rd step returns an array whose element getter throws.
const sgd = (x0, config) => {
  const x = Float64Array.from(x0);
  return { x, lr: config.learningRate, update(grad, learningRate) { if (learningRate !== undefined) this.lr = learningRate; for (let i = 0; i < x.length; i++) x[i] -= this.lr * grad[i]; return x; } };
};
let calls = 0;
export default {
  name: 'throwing-element',
  dtype: 'float64',
  optimizers: ['sgd', 'momentum'],
  create(config, x0) {
    const s = sgd(x0, config);
    return {
      step(grad, learningRate) {
        calls++;
        if (calls === 3) return new Proxy([1], { get(_target, k) { if (k === 'length') return grad.length; throw new Error('element getter'); } });
        return s.update(grad, learningRate);
      },
    };
  },
};
