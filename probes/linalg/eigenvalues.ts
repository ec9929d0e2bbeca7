/**
 * Eigenvalues of a real square matrix (not necessarily symmetric): reduction to upper Hessenberg form by
 * stabilised elementary similarity transforms, then the Francis double-shift QR iteration (the classic
 * EISPACK elmhes + hqr pair). The copying and prefix-matching scores need sum(lambda) / sum(|lambda|), and
 * OV circuits are not symmetric, so complex pairs must be found too. Matrices here are d_head x d_head
 * (<= a few hundred), where this O(n^3) method is fast enough.
 */
export interface Eigenvalues {
  re: Float64Array;
  im: Float64Array;
}

/** a: row-major n x n; not modified. */
export function eigenvalues(a: ArrayLike<number>, n: number): Eigenvalues {
  if (a.length !== n * n) throw new Error(`eigenvalues: expected ${n * n} entries, got ${a.length}`);
  // NaN or infinite entries (a corrupt or diverged model) have no eigenvalues to find: say NaN, do not iterate.
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]))
      return { re: new Float64Array(n).fill(NaN), im: new Float64Array(n).fill(NaN) };
  }
  const m: Float64Array[] = Array.from({ length: n }, (_, i) =>
    Float64Array.from({ length: n }, (_, j) => a[i * n + j]),
  );
  toHessenberg(m, n);
  return hessenbergQr(m, n);
}

function toHessenberg(a: Float64Array[], n: number): void {
  for (let m = 1; m < n - 1; m++) {
    // pivot: the largest entry below the subdiagonal in column m-1
    let x = 0;
    let i = m;
    for (let j = m; j < n; j++) {
      if (Math.abs(a[j][m - 1]) > Math.abs(x)) {
        x = a[j][m - 1];
        i = j;
      }
    }
    if (i !== m) {
      for (let j = m - 1; j < n; j++) [a[i][j], a[m][j]] = [a[m][j], a[i][j]];
      for (let j = 0; j < n; j++) [a[j][i], a[j][m]] = [a[j][m], a[j][i]];
    }
    if (x !== 0) {
      for (let r = m + 1; r < n; r++) {
        let y = a[r][m - 1];
        if (y !== 0) {
          y /= x;
          a[r][m - 1] = y;
          for (let j = m; j < n; j++) a[r][j] -= y * a[m][j];
          for (let j = 0; j < n; j++) a[j][m] += y * a[j][r];
        }
      }
    }
  }
  // the multipliers left below the subdiagonal are not part of the Hessenberg matrix
  for (let r = 2; r < n; r++) for (let c = 0; c < r - 1; c++) a[r][c] = 0;
}

const sign = (a: number, b: number) => (b >= 0 ? Math.abs(a) : -Math.abs(a));

function hessenbergQr(a: Float64Array[], n: number): Eigenvalues {
  const wr = new Float64Array(n);
  const wi = new Float64Array(n);
  let anorm = 0;
  for (let i = 0; i < n; i++) for (let j = Math.max(i - 1, 0); j < n; j++) anorm += Math.abs(a[i][j]);
  let nn = n - 1;
  let t = 0;
  while (nn >= 0) {
    let its = 0;
    let l: number;
    do {
      // look for a single small subdiagonal element to split the matrix
      for (l = nn; l >= 1; l--) {
        let s = Math.abs(a[l - 1][l - 1]) + Math.abs(a[l][l]);
        if (s === 0) s = anorm;
        if (Math.abs(a[l][l - 1]) + s === s) {
          a[l][l - 1] = 0;
          break;
        }
      }
      let x = a[nn][nn];
      if (l === nn) {
        wr[nn] = x + t; // one root found
        wi[nn--] = 0;
      } else {
        let y = a[nn - 1][nn - 1];
        let w = a[nn][nn - 1] * a[nn - 1][nn];
        if (l === nn - 1) {
          // two roots found: a real pair or a complex conjugate pair
          const p = 0.5 * (y - x);
          const q = p * p + w;
          let z = Math.sqrt(Math.abs(q));
          x += t;
          if (q >= 0) {
            z = p + sign(z, p);
            wr[nn - 1] = wr[nn] = x + z;
            if (z) wr[nn] = x - w / z;
            wi[nn - 1] = wi[nn] = 0;
          } else {
            wr[nn - 1] = wr[nn] = x + p;
            wi[nn - 1] = -(wi[nn] = z);
          }
          nn -= 2;
        } else {
          if (its === 60) throw new Error('eigenvalues: QR iteration did not converge');
          if (its === 10 || its === 20 || its === 40) {
            // exceptional shift, to break cycles
            t += x;
            for (let i = 0; i <= nn; i++) a[i][i] -= x;
            const s = Math.abs(a[nn][nn - 1]) + Math.abs(a[nn - 1][nn - 2]);
            y = x = 0.75 * s;
            w = -0.4375 * s * s;
          }
          ++its;
          let m: number;
          let p = 0;
          let q = 0;
          let r = 0;
          let z = 0;
          // form the shift and look for two consecutive small subdiagonal elements
          for (m = nn - 2; m >= l; m--) {
            z = a[m][m];
            r = x - z;
            const s0 = y - z;
            p = (r * s0 - w) / a[m + 1][m] + a[m][m + 1];
            q = a[m + 1][m + 1] - z - r - s0;
            r = a[m + 2][m + 1];
            const s = Math.abs(p) + Math.abs(q) + Math.abs(r);
            p /= s;
            q /= s;
            r /= s;
            if (m === l) break;
            const u = Math.abs(a[m][m - 1]) * (Math.abs(q) + Math.abs(r));
            const v = Math.abs(p) * (Math.abs(a[m - 1][m - 1]) + Math.abs(z) + Math.abs(a[m + 1][m + 1]));
            if (u + v === v) break;
          }
          for (let i = m + 2; i <= nn; i++) {
            a[i][i - 2] = 0;
            if (i !== m + 2) a[i][i - 3] = 0;
          }
          // double QR step on rows l..nn and columns m..nn
          for (let k = m; k <= nn - 1; k++) {
            if (k !== m) {
              p = a[k][k - 1];
              q = a[k + 1][k - 1];
              r = k !== nn - 1 ? a[k + 2][k - 1] : 0;
              x = Math.abs(p) + Math.abs(q) + Math.abs(r);
              if (x !== 0) {
                p /= x;
                q /= x;
                r /= x;
              }
            }
            const s = sign(Math.sqrt(p * p + q * q + r * r), p);
            if (s !== 0) {
              if (k === m) {
                if (l !== m) a[k][k - 1] = -a[k][k - 1];
              } else a[k][k - 1] = -s * x;
              p += s;
              x = p / s;
              y = q / s;
              z = r / s;
              q /= p;
              r /= p;
              for (let j = k; j <= nn; j++) {
                p = a[k][j] + q * a[k + 1][j];
                if (k !== nn - 1) {
                  p += r * a[k + 2][j];
                  a[k + 2][j] -= p * z;
                }
                a[k + 1][j] -= p * y;
                a[k][j] -= p * x;
              }
              const mmin = nn < k + 3 ? nn : k + 3;
              for (let i = l; i <= mmin; i++) {
                p = x * a[i][k] + y * a[i][k + 1];
                if (k !== nn - 1) {
                  p += z * a[i][k + 2];
                  a[i][k + 2] -= p * r;
                }
                a[i][k + 1] -= p * q;
                a[i][k] -= p;
              }
            }
          }
        }
      }
    } while (l < nn - 1);
  }
  return { re: wr, im: wi };
}

/**
 * sum(lambda) / sum(|lambda|): Elhage et al.'s copying statistic (positive: the circuit copies). Complex
 * eigenvalues count by modulus; the numerator is real (the trace). NaN for a zero matrix.
 */
export function eigenRatio(a: ArrayLike<number>, n: number): number {
  const { re, im } = eigenvalues(a, n);
  let sum = 0;
  let abs = 0;
  for (let i = 0; i < n; i++) {
    sum += re[i];
    abs += Math.hypot(re[i], im[i]);
  }
  return abs > 0 ? sum / abs : NaN;
}
