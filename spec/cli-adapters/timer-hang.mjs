// An SGD whose step waits on a timer of eleven days: after the checker gives up on it, the timer
// still keeps Node alive, and the CLI must still end.
export default {
  name: 'timer hang',
  dtype: 'float64',
  optimizers: ['sgd'],
  create() {
    return { step: () => new Promise((r) => setTimeout(r, 1e9)) };
  },
};
