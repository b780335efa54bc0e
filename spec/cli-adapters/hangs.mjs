// An SGD whose step never answers: the checker's timeouts must turn it into an `error` verdict.
export default {
  name: 'hangs',
  dtype: 'float64',
  optimizers: ['sgd'],
  create() {
    return { step: () => new Promise(() => {}) };
  },
};
