// Idempotency keys of the site's forms. The gateway never repeats a write by itself, so the site
// does. It sends the same key with the same values, and the back office applies the write once.

/**
 * Error codes after which a write may or may not have been applied. The form keeps its key,
 * so sending the same values again cannot apply them twice.
 */
const UNCERTAIN = new Set(['OUTCOME_UNKNOWN', 'NETWORK_ERROR', 'BAD_RESPONSE', 'UPSTREAM_UNAVAILABLE', 'RATE_LIMITED']);

/**
 * Submission stores the idempotency key of one form. keyFor returns the key of the values being
 * sent: the previous key when the same values are sent again after an uncertain outcome, and a
 * new key (crypto.randomUUID()) for new values or after the previous attempt was settled.
 */
export class Submission {
  /** @type {string | null} */
  #key = null;
  /** The values the key was made for, as JSON. @type {string | null} */
  #values = null;

  /**
   * @param {unknown} values
   * @returns {string}
   */
  keyFor(values) {
    const text = JSON.stringify(values);
    if (this.#key === null || this.#values !== text) {
      this.#key = crypto.randomUUID();
      this.#values = text;
    }
    return this.#key;
  }

  /**
   * Ends the submission after an attempt: the key is kept only when the error leaves the
   * outcome uncertain, so the customer's retry reuses it.
   *
   * @param {{code?: string} | null} [error] the attempt's error, or null on success
   */
  settle(error = null) {
    if (error !== null && typeof error?.code === 'string' && UNCERTAIN.has(error.code)) {
      return;
    }
    this.#key = null;
    this.#values = null;
  }
}
