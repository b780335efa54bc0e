import type { BigNumber } from 'mathjs';
import { mathjs } from './mathjs.js';

/** mathjs with 80-digit BigNumbers: the high-precision oracle (a devDependency, kept out of src/). */
export const M = mathjs.create(mathjs.all!, { number: 'BigNumber', precision: 80 });

/**
 * A double as the exact BigNumber of its binary value (not its shortest decimal, which
 * differs by up to half an ULP): `mantissa * 2^exponent` written out in decimal.
 */
export function big(x: number): BigNumber {
  if (!Number.isFinite(x)) throw new RangeError(`big: ${x} is not finite`);
  if (x === 0) return M.bignumber(0);
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const negative = bits >> 63n === 1n;
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & 0xfffffffffffffn;
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const exponent = (biased === 0 ? 1 : biased) - 1075;
  let digits: string;
  if (exponent >= 0) digits = (mantissa << BigInt(exponent)).toString();
  else {
    const scaled = (mantissa * 5n ** BigInt(-exponent)).toString().padStart(-exponent + 1, '0');
    digits = `${scaled.slice(0, scaled.length + exponent)}.${scaled.slice(scaled.length + exponent)}`;
  }
  return M.bignumber(`${negative ? '-' : ''}${digits}`) as BigNumber;
}

/** The double nearest to a BigNumber. */
export function num(b: BigNumber | number): number {
  return typeof b === 'number' ? b : b.toNumber();
}

/** The spacing of the dtype's values at |x| (its ULP there; the subnormal spacing near 0). */
export function ulpOf(x: number, dtype: 'float32' | 'float64'): number {
  const a = Math.abs(x);
  if (dtype === 'float32') return a < 2 ** -126 ? 2 ** -149 : 2 ** (Math.floor(Math.log2(a)) - 23);
  return a < 2 ** -1022 ? 2 ** -1074 : 2 ** (Math.floor(Math.log2(a)) - 52);
}
