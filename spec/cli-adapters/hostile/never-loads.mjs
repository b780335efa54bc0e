// A module whose top-level await never settles: in-process, Node exited 13 with no message.
console.error('never-loads: waiting forever at the top level');
await new Promise(() => {});
export default { name: 'never-loads', dtype: 'float64', optimizers: ['sgd'], create() {} };
