// SGD whose 3rd step leaves a rejected promise nobody handles.
const sgd = (x0, config) => {
  const x = Float64Array.from(x0);
  return { x, lr: config.learningRate, update(grad, learningRate) { if (learningRate !== undefined) this.lr = learningRate; for (let i = 0; i < x.length; i++) x[i] -= this.lr * grad[i]; return x; } };
};
let calls = 0;
export default {
  name: 'stray-rejection',
  dtype: 'float64',
  optimizers: ['sgd', 'momentum'],
  create(config, x0) {
    const s = sgd(x0, config);
    return {
      step(grad, learningRate) {
        calls++;
        if (calls === 3) Promise.reject(new Error('stray rejection from step 3'));
        return s.update(grad, learningRate);
      },
    };
  },
};
