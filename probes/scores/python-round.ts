/**
 * Python's `round(x, 3)`: the nearest multiple of 0.001 to the exact binary value of x, ties to even.
 *
 * `Number.prototype.toFixed` already rounds the exact binary value, but sends ties up. An exact tie at 3
 * decimals is x = (2m+1)/2000; for that to be a binary fraction 125 must divide 2m+1, so x is an odd multiple
 * of 1/16 (0.0625, 0.1875, ...) and 16·x, an exact product, is an odd integer. Those are rounded to even here.
 */
export function pythonRound3(x: number): number {
  if (!Number.isFinite(x)) return x;
  const sixteenths = x * 16;
  if (Number.isInteger(sixteenths) && sixteenths % 2 !== 0) {
    const scaled = sixteenths * 62.5; // x * 1000, exactly k + 0.5
    const lo = Math.floor(scaled);
    return (lo % 2 === 0 ? lo : lo + 1) / 1000;
  }
  return Number(x.toFixed(3));
}
