/**
 * `x ** n` and `exp(x)` rounded correctly (to nearest), via double-double arithmetic.
 *
 * Why: JavaScript's `**` and `Math.exp` are not correctly rounded (V8 differs from
 * the correctly rounded value by an ULP on about 7% of `beta ** t` and 10% of
 * `exp(-k * t)` values), and neither are glibc's `pow` and `exp` behind CPython and
 * NumPy, but glibc misses far less often (about 0.2% of the schedule tables' values,
 * e.g. `0.99 ** 503`). Computing the exact value to about 2^-100 and rounding once
 * reproduces every Adam fixture bit for bit; the schedule tables keep a measured
 * 1-ULP bound for glibc's misses (src/fixtures/golden-bounds.ts).
 */

// A double-double is the unevaluated sum `hi + lo` with `|lo| <= ulp(hi) / 2`. The
// helpers below leave their result in `out` (and frexp its exponent in EXP) instead
// of returning a new object: Adam forms two powers per step, and a step should
// leave (next to) no garbage for the collector. V8 updates an object's double fields in place,
// where a module-level `let` holding a double would box every new value.
const out = { hi: 0, lo: 0 };
let EXP = 0;

const SPLITTER = 134217729; // 2^27 + 1, Veltkamp's splitting constant for doubles

function twoSum(a: number, b: number): void {
  const s = a + b;
  const bb = s - a;
  out.hi = s;
  out.lo = a - (s - bb) + (b - bb);
}

function fastTwoSum(a: number, b: number): void {
  const s = a + b;
  out.hi = s;
  out.lo = b - (s - a);
}

function twoProd(a: number, b: number): void {
  const p = a * b;
  const ca = SPLITTER * a;
  const ah = ca - (ca - a);
  const al = a - ah;
  const cb = SPLITTER * b;
  const bh = cb - (cb - b);
  const bl = b - bh;
  out.hi = p;
  out.lo = ah * bh - p + ah * bl + al * bh + al * bl;
}

/** `(aHi + aLo) * (bHi + bLo)`. */
function mul(aHi: number, aLo: number, bHi: number, bLo: number): void {
  twoProd(aHi, bHi);
  fastTwoSum(out.hi, out.lo + (aHi * bLo + aLo * bHi));
}

/** `(aHi + aLo) + (bHi + bLo)`. */
function add(aHi: number, aLo: number, bHi: number, bLo: number): void {
  twoSum(aHi, bHi);
  fastTwoSum(out.hi, out.lo + aLo + bLo);
}

/** `(aHi + aLo) / k` for a small integer `k`. */
function divSmall(aHi: number, aLo: number, k: number): void {
  const q = aHi / k;
  twoProd(q, k);
  fastTwoSum(q, (aHi - out.hi - out.lo + aLo) / k);
}

/**
 * Scales `hi` by 2^e. `hi` is already `hi + lo` rounded to nearest, and a
 * power-of-two scaling of a normal result is exact; only a subnormal result rounds
 * again (at most one more half-ULP there).
 */
function ldexp(hi: number, e: number): number {
  // One product by an exact power of two from the table: the single rounding of hi * 2^e.
  if (e >= -1074 && e <= 1023) return hi * POW2[e + 1074]!;
  // Split the scaling so that no intermediate power of two overflows or underflows.
  let scaled = hi;
  let rest = e;
  while (rest > 600) {
    scaled *= 2 ** 600;
    rest -= 600;
  }
  while (rest < -600) {
    scaled *= 2 ** -600;
    rest += 600;
  }
  return scaled * 2 ** rest;
}

/** 2^(i - 1074) for every finite power of two, by exact doublings of the smallest subnormal. */
const POW2 = new Float64Array(1074 + 1024);
POW2[0] = Number.MIN_VALUE;
for (let i = 1; i < POW2.length; i++) POW2[i] = POW2[i - 1]! * 2;

/** Splits a positive finite double into `m * 2^EXP` with `m` in [0.5, 1), exactly; returns `m`. */
function frexp(x: number): number {
  let m = x;
  let e = 0;
  if (m < 2 ** -900) {
    m *= 2 ** 600; // lifts subnormals into the normal range; exact
    e -= 600;
  }
  const shift = Math.floor(Math.log2(m)) + 1;
  m *= 2 ** -shift;
  e += shift;
  // log2 may be off by one next to a power of two; settle the last step exactly.
  if (m >= 1) {
    m /= 2;
    e++;
  } else if (m < 0.5) {
    m *= 2;
    e--;
  }
  EXP = e;
  return m;
}

/**
 * Both factors of every product in powInteger lie in [0.5, 1], so `out` lies in
 * [0.25, 1]: one exact doubling brings it back to [0.5, 1]. Returns the exponent change.
 */
function renormalize(): number {
  if (out.hi >= 0.5) return 0;
  out.hi *= 2;
  out.lo *= 2;
  return -1;
}

/** The last {@link powParts} result: `x ** n = (hi + lo) * 2^exp`, `hi` in [0.5, 1). */
const parts = { hi: 1, lo: 0, exp: 0 };

/**
 * `x ** n` in double-double for a positive finite `x` and an integer `n >= 1`, left in
 * {@link parts}: exponentiation by squaring with the binary exponent kept apart, so no
 * intermediate under- or overflows.
 */
function powParts(x: number, n: number): void {
  let baseHi = frexp(x);
  let baseLo = 0;
  let baseExp = EXP;
  let resultHi = 1;
  let resultLo = 0;
  let resultExp = 0;
  let k = n;
  while (k > 0) {
    if (k & 1) {
      mul(resultHi, resultLo, baseHi, baseLo);
      resultExp += baseExp + renormalize();
      resultHi = out.hi;
      resultLo = out.lo;
    }
    k = Math.floor(k / 2);
    if (k > 0) {
      mul(baseHi, baseLo, baseHi, baseLo);
      baseExp = 2 * baseExp + renormalize();
      baseHi = out.hi;
      baseLo = out.lo;
    }
  }
  parts.hi = resultHi;
  parts.lo = resultLo;
  parts.exp = resultExp;
}

/** Whether powInteger's double-double path applies; the rest is `**`'s IEEE special cases. */
function ordinary(x: number, n: number): boolean {
  return n !== 0 && x !== 0 && x !== 1 && Number.isFinite(x) && Number.isSafeInteger(n) && n > 0 && x > 0;
}

/**
 * `x ** n` for a finite `x >= 0` and an integer `n >= 0`, correctly rounded:
 * exponentiation by squaring in double-double with the binary exponent kept apart,
 * so no intermediate under- or overflows. At most 2 log2(n) products, each with
 * relative error below 2^-104: the total stays far below half an ULP.
 */
export function powInteger(x: number, n: number): number {
  if (n === 0) return 1;
  if (!ordinary(x, n)) return x ** n;
  powParts(x, n);
  return ldexp(parts.hi, parts.exp);
}

const LN2_HI = Math.LN2;
const LN2_LO = 2.3190468138462996e-17;

/**
 * `exp(x)` correctly rounded for finite `x`: `x = n ln2 + r` with ln2 in
 * double-double, `exp(r / 2^10)` by its Taylor series in double-double, squared ten
 * times (relative error growth 2^10 * 2^-104 = 2^-94, far below half an ULP).
 */
export function expCorrectlyRounded(x: number): number {
  if (Number.isNaN(x)) return x;
  if (x > 709.8) return Number.POSITIVE_INFINITY;
  if (x < -745.2) return 0;
  if (x === 0) return 1;
  const n = Math.round(x / LN2_HI);
  twoProd(n, LN2_HI);
  const pHi = out.hi;
  const pLo = out.lo;
  twoSum(x, -pHi);
  add(out.hi, out.lo, -pLo, -n * LN2_LO);
  const rHi = out.hi / 1024;
  const rLo = out.lo / 1024;
  let sumHi = 1;
  let sumLo = 0;
  for (let k = 14; k >= 1; k--) {
    mul(rHi, rLo, sumHi, sumLo);
    divSmall(out.hi, out.lo, k);
    add(1, 0, out.hi, out.lo);
    sumHi = out.hi;
    sumLo = out.lo;
  }
  for (let i = 0; i < 10; i++) {
    mul(sumHi, sumLo, sumHi, sumLo);
    sumHi = out.hi;
    sumLo = out.lo;
  }
  return ldexp(sumHi, n);
}

/**
 * Steps between two fresh {@link powParts} in a {@link PowerSequence}: the incremental
 * products in between add at most 2^10 * 2^-104 = 2^-94 relative error, as small as the
 * 2 log2(n) <= 106 products of powInteger itself (2^-97), so both round to the same double
 * unless the exact power lies within 2^-94 relative of a midpoint between doubles.
 */
const REANCHOR = 1024;

/**
 * `x ** n` correctly rounded for n = 1, 2, 3, ...: Adam's `beta ** t` at every step. One
 * double-double product per step where powInteger takes up to 2 log2(n) (3.5 s of a
 * 10^6-step Adam run spent in two powInteger calls per step); every {@link REANCHOR}
 * steps, and whenever n is not the previous n + 1 (a restored counter), the power is
 * computed afresh, so the product's error never accumulates past 2^-94.
 */
export class PowerSequence {
  /** `x ** n = (hi + lo) * 2^exp` as [hi, lo, exp]: a typed array keeps the doubles unboxed. */
  private readonly power = new Float64Array([1, 0, 0]);
  private n = 0;
  private readonly baseHi: number;
  /** baseHi split in halves (Veltkamp), once, for the products' exact error term. */
  private readonly baseHigh: number;
  private readonly baseLow: number;
  private readonly baseExp: number;
  private readonly incremental: boolean;

  /** @param x the base, as powInteger takes it. */
  constructor(private readonly x: number) {
    this.incremental = ordinary(x, 1);
    this.baseHi = this.incremental ? frexp(x) : 0;
    this.baseExp = EXP;
    const c = SPLITTER * this.baseHi;
    this.baseHigh = c - (c - this.baseHi);
    this.baseLow = this.baseHi - this.baseHigh;
  }

  /** `x ** n`, bit for bit powInteger's value (short of the midpoint case of {@link REANCHOR}). */
  at(n: number): number {
    if (!ordinary(this.x, n)) return powInteger(this.x, n);
    const power = this.power;
    if (this.incremental && n === this.n + 1 && n % REANCHOR !== 0) {
      // mul(hi, lo, baseHi, 0) and renormalize, written out: the same operations in the same order.
      const a = power[0]!;
      const b = this.baseHi;
      const p = a * b;
      const ca = SPLITTER * a;
      const ah = ca - (ca - a);
      const al = a - ah;
      const error = ah * this.baseHigh - p + ah * this.baseLow + al * this.baseHigh + al * this.baseLow;
      const lo = error + (a * 0 + power[1]! * b);
      let hi = p + lo;
      let rest = lo - (hi - p);
      let exp = power[2]! + this.baseExp;
      if (hi < 0.5) {
        hi *= 2;
        rest *= 2;
        exp -= 1;
      }
      power[0] = hi;
      power[1] = rest;
      power[2] = exp;
    } else {
      powParts(this.x, n);
      power[0] = parts.hi;
      power[1] = parts.lo;
      power[2] = parts.exp;
    }
    this.n = n;
    return ldexp(power[0]!, power[2]!);
  }
}
