// What src/numerics/ offers the rest of src/: dtypes, rounding, ULP distances, correctly rounded powers and exp.
export { expCorrectlyRounded, PowerSequence, powInteger } from './correctly-rounded.js';
export { allocate, type Dtype, type FloatVector, rounderFor } from './dtype.js';
export { bf16round, f16round } from './half-precision.js';
export { firstDifferentBits, sameBits, ulpDistance } from './ulp.js';
export {
  CHECKED_DTYPES,
  DTYPES,
  type DtypeLimits,
  dtypeChoices,
  dtypeLimits,
  holds,
  type Precision,
  storageFor,
} from './dtype.js';
export { BFLOAT16_MAX, FLOAT16_MAX } from './half-precision.js';
export {
  ARITHMETIC_TABLES,
  ARITHMETICS,
  type Arithmetic,
  type ArithmeticTable,
  FLOAT32_SMALLEST_NORMAL,
  operationRoundoffs,
  requireArithmetic,
  ulpsToRoundoffs,
  worstRoundoffs,
} from './arithmetic.js';
