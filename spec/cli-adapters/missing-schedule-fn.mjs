export default { name: 'no schedule fn', dtype: 'float64', optimizers: [], schedules: ['step'], create() {} };
