export default { name: 'lion', dtype: 'float32', optimizers: ['sgd', 'lion'], create() {} };
