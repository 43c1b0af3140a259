/** Forecast accuracy measures used in the model cards. */

/** Accumulates absolute and symmetric-percentage errors of point forecasts. */
export class ErrorTally {
  #abs = 0;
  #smape = 0;
  #smapeCount = 0;
  #count = 0;

  add(forecast: number, actual: number): void {
    const err = Math.abs(forecast - actual);
    this.#abs += err;
    this.#count++;
    const denom = Math.abs(forecast) + Math.abs(actual);
    // 0/0 (both zero) is a perfect forecast, not an undefined one.
    this.#smapeCount++;
    if (denom > 0) this.#smape += (2 * err) / denom;
  }

  get count(): number {
    return this.#count;
  }

  /** Mean absolute error. */
  get mae(): number {
    return this.#count ? this.#abs / this.#count : NaN;
  }

  /** Symmetric mean absolute percentage error, in percent (0–200). */
  get smape(): number {
    return this.#smapeCount ? (100 * this.#smape) / this.#smapeCount : NaN;
  }

  /** Mean absolute scaled error against an in-sample naive MAE. */
  mase(scale: number): number {
    return this.mae / scale;
  }
}
