// SGD whose 3rd step loops forever synchronously: only terminating its worker ends it.
const sgd = (x0, config) => {
  const x = Float64Array.from(x0);
  return { x, lr: config.learningRate, update(grad, learningRate) { if (learningRate !== undefined) this.lr = learningRate; for (let i = 0; i < x.length; i++) x[i] -= this.lr * grad[i]; return x; } };
};
let calls = 0;
export default {
  name: 'sync-loop',
  dtype: 'float64',
  optimizers: ['sgd', 'momentum'],
  create(config, x0) {
    const s = sgd(x0, config);
    return {
      step(grad, learningRate) {
        calls++;
        if (calls === 3) {
          console.error('sync-loop: entering the loop');
          for (;;);
        }
        return s.update(grad, learningRate);
      },
    };
  },
};
