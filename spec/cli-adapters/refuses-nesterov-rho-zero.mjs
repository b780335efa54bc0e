// Nesterov momentum as the lecture writes it (lecture.md section 3), in float64, as a user's module that
// refuses rho = 0, as PyTorch does: the checks that need it are skipped, through the worker as in-process.
// `{ unsupported: reason }` is what optimspec's unsupported(reason) returns.
export default {
  name: 'refuses nesterov rho = 0',
  dtype: 'float64',
  optimizers: ['nesterov'],
  create(config, x0) {
    if (config.rho === 0) return { unsupported: 'nesterov requires rho > 0' };
    const x = Float64Array.from(x0);
    const v = new Float64Array(x0.length);
    const { rho } = config;
    let lr = config.learningRate;
    return {
      step(dx, learningRate) {
        if (learningRate !== undefined) lr = learningRate;
        for (let i = 0; i < x.length; i++) {
          const old = v[i];
          v[i] = rho * v[i] - lr * dx[i];
          x[i] += -rho * old + (1 + rho) * v[i];
        }
        return x;
      },
    };
  },
};
