// A module that calls process.exit(0) while loading.
process.exit(0);
export default { name: 'exits-on-load', dtype: 'float64', optimizers: ['sgd'], create() {} };
