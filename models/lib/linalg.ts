/** Dense least squares for training scripts: normal equations solved by Cholesky. */

/**
 * Solves the ridge problem min ‖X·B − Y‖² + λ‖B‖² for B [p, q], given the Gram matrix G = XᵀX
 * [p, p] and XᵀY [p, q] (row-major). λ keeps near-collinear lags (adjacent minutes) stable.
 */
export function ridgeSolve(gram: Float64Array, xty: Float64Array, p: number, q: number, lambda: number): Float64Array {
  const a = Float64Array.from(gram);
  for (let i = 0; i < p; i++) a[i * p + i]! += lambda;
  // Cholesky: a = L·Lᵀ, L stored in the lower triangle of a.
  for (let j = 0; j < p; j++) {
    let d = a[j * p + j]!;
    for (let k = 0; k < j; k++) d -= a[j * p + k]! ** 2;
    if (!(d > 0)) throw new RangeError('matrix is not positive definite');
    const l = Math.sqrt(d);
    a[j * p + j] = l;
    for (let i = j + 1; i < p; i++) {
      let s = a[i * p + j]!;
      for (let k = 0; k < j; k++) s -= a[i * p + k]! * a[j * p + k]!;
      a[i * p + j] = s / l;
    }
  }
  const b = new Float64Array(p * q);
  for (let c = 0; c < q; c++) {
    const y = new Float64Array(p);
    for (let i = 0; i < p; i++) {
      let s = xty[i * q + c]!;
      for (let k = 0; k < i; k++) s -= a[i * p + k]! * y[k]!;
      y[i] = s / a[i * p + i]!;
    }
    for (let i = p - 1; i >= 0; i--) {
      let s = y[i]!;
      for (let k = i + 1; k < p; k++) s -= a[k * p + i]! * b[k * q + c]!;
      b[i * q + c] = s / a[i * p + i]!;
    }
  }
  return b;
}

/** Accumulates weighted normal equations row by row: G += w·xxᵀ, R += w·xyᵀ. */
export class NormalEquations {
  readonly gram: Float64Array;
  readonly xty: Float64Array;
  constructor(
    readonly p: number,
    readonly q: number,
  ) {
    this.gram = new Float64Array(p * p);
    this.xty = new Float64Array(p * q);
  }

  add(x: ArrayLike<number>, y: ArrayLike<number>, weight = 1): void {
    const { p, q, gram, xty } = this;
    for (let i = 0; i < p; i++) {
      const xi = x[i]! * weight;
      if (xi === 0) continue;
      for (let j = 0; j < p; j++) gram[i * p + j]! += xi * x[j]!;
      for (let c = 0; c < q; c++) xty[i * q + c]! += xi * y[c]!;
    }
  }

  solve(lambda: number): Float64Array {
    return ridgeSolve(this.gram, this.xty, this.p, this.q, lambda);
  }
}
