// An adapter whose `optimizers` getter throws a null-prototype object.
export default {
  name: 'throwing-adapter-getter',
  dtype: 'float64',
  get optimizers() {
    throw Object.create(null);
  },
  create() {},
};
