export const adapter = { name: 'named only', dtype: 'float64', optimizers: [], create() {} };
