export default { name: 'half precision', dtype: 'float16', optimizers: ['sgd'], create() {} };
