// Momentum as an exponential moving average, `vx = rho * vx + (1 - rho) * dx` (conventions.md
// `dampened-momentum`, PyTorch with dampening = rho), written in plain JavaScript as a user
// would: deviates.
export default {
  name: 'dampened momentum',
  dtype: 'float64',
  optimizers: ['momentum'],
  create(config, x0) {
    const x = Float64Array.from(x0);
    const vx = new Float64Array(x.length);
    let lr = config.learningRate;
    return {
      step(grad, learningRate) {
        if (learningRate !== undefined) lr = learningRate;
        for (let i = 0; i < x.length; i++) {
          vx[i] = config.rho * vx[i] + (1 - config.rho) * grad[i];
          x[i] -= lr * vx[i];
        }
        return x;
      },
    };
  },
};
