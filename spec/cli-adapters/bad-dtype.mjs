export default { name: 'half precision', dtype: 'float8', optimizers: ['sgd'], create() {} };
