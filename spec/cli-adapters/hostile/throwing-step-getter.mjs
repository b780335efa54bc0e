// A stepper whose `step` property is a getter that throws.
export default {
  name: 'throwing-step-getter',
  dtype: 'float64',
  optimizers: ['sgd'],
  create() {
    return {
      get step() {
        throw new Error('step getter');
      },
    };
  },
};
