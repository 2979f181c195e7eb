// Formatting of API values for display, in the browser's locale.

/**
 * @typedef {object} Money
 * @property {string} amount Decimal string with a dot, for example "123.40".
 * @property {string} currency ISO 4217 code, for example "EUR".
 */

/** @typedef {'PENDING' | 'PAID' | 'SHIPPED' | 'CANCELLED'} OrderStatus */

/** Matches the decimal strings that the API sends as Money.amount. */
const DECIMAL = /^-?\d+(\.\d+)?$/;

/** @type {Map<string, Intl.NumberFormat>} */
const moneyFormats = new Map();

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** @type {Record<OrderStatus, string>} */
const STATUS_LABELS = {
  PENDING: 'Awaiting payment',
  PAID: 'Paid',
  SHIPPED: 'Shipped',
  CANCELLED: 'Cancelled',
};

/**
 * Formats an amount with its currency symbol, for example "€1,234.50".
 *
 * The decimal string goes to Intl.NumberFormat as it is, so no float arithmetic touches it.
 * Browsers that implement Intl.NumberFormat v3 (ECMA-402, 2023) read the string exactly. Older
 * ones convert it to a Number first, which still displays up to 15 significant digits correctly.
 * An unknown currency code or a malformed amount is shown as "amount currency".
 *
 * @param {Money} money
 * @returns {string}
 */
export function formatMoney(money) {
  if (!DECIMAL.test(money.amount)) {
    return `${money.amount} ${money.currency}`;
  }

  let format = moneyFormats.get(money.currency);
  if (format === undefined) {
    try {
      format = new Intl.NumberFormat(undefined, { style: 'currency', currency: money.currency });
    } catch {
      return `${money.amount} ${money.currency}`;
    }
    moneyFormats.set(money.currency, format);
  }

  // The DOM typings accept a numeric string as StringNumericLiteral (TypeScript lib es2023).
  return format.format(/** @type {`${number}`} */ (money.amount));
}

/**
 * Formats an RFC 3339 instant as a date, for example "5 Mar 2024". An unparsable value is
 * returned as it is.
 *
 * @param {string} instant
 * @returns {string}
 */
export function formatDate(instant) {
  return formatInstant(instant, dateFormat);
}

/**
 * Formats an RFC 3339 instant as a date and time in the browser's time zone. An unparsable value
 * is returned as it is.
 *
 * @param {string} instant
 * @returns {string}
 */
export function formatDateTime(instant) {
  return formatInstant(instant, dateTimeFormat);
}

/**
 * Returns the customer-facing label of an order status, or the enum value itself for a status
 * that this page does not know yet.
 *
 * @param {string} status
 * @returns {string}
 */
export function statusLabel(status) {
  return Object.hasOwn(STATUS_LABELS, status) ? STATUS_LABELS[/** @type {OrderStatus} */ (status)] : status;
}

/**
 * @param {string} instant
 * @param {Intl.DateTimeFormat} format
 * @returns {string}
 */
function formatInstant(instant, format) {
  const date = new Date(instant);
  return Number.isNaN(date.getTime()) ? instant : format.format(date);
}
