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
// of returning a new object: Adam calls powInteger twice per step, and a step should
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

/**
 * `x ** n` for a finite `x >= 0` and an integer `n >= 0`, correctly rounded:
 * exponentiation by squaring in double-double with the binary exponent kept apart,
 * so no intermediate under- or overflows. At most 2 log2(n) products, each with
 * relative error below 2^-104: the total stays far below half an ULP.
 */
export function powInteger(x: number, n: number): number {
  if (n === 0) return 1;
  if (x === 0 || x === 1 || !Number.isFinite(x) || !Number.isSafeInteger(n) || n < 0 || x < 0) return x ** n;
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
  return ldexp(resultHi, resultExp);
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
