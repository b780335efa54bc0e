// A module with a syntax error on line 6, column 48 (a stray parenthesis): loading it must say where.
export default {
  name: "syntax error",
  dtype: "float64",
  optimizers: ["sgd"],
  create(c, x0) { return { step(g) { return x0 ) } }; },
};
