// DOM builders for the customer data. Every value from the API goes into the page through
// textContent or an attribute, never through HTML parsing.

import { formatDate, formatDateTime, formatMoney, statusLabel } from './format.js';

// The types of the API values come from operations.d.ts, which graphql-codegen generates from
// the schema and the operations, so a field that an operation stops selecting fails the type check.

/** @typedef {NonNullable<import('./operations').MeQuery['me']>} Customer */
/** @typedef {import('./operations').OrdersQuery['orders']} OrderConnection */
/** @typedef {OrderConnection['edges'][number]['node']} OrderSummary */
/** @typedef {NonNullable<import('./operations').OrderDetailQuery['order']>} OrderDetail */
/** @typedef {OrderDetail['items'][number]} OrderItem */
/** @typedef {NonNullable<OrderItem['product']>} Product */
/** @typedef {NonNullable<OrderDetail['invoice']>} Invoice */

/** Status values that have a badge colour in site.css. */
const KNOWN_STATUSES = new Set(['PENDING', 'PAID', 'SHIPPED', 'CANCELLED']);

/**
 * Creates an element with an optional class, text and data-testid.
 *
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {{className?: string, text?: string, testId?: string}} [options]
 * @returns {HTMLElementTagNameMap[K]}
 */
export function createElement(tag, options = {}) {
  const element = document.createElement(tag);
  if (options.className !== undefined) {
    element.className = options.className;
  }
  if (options.text !== undefined) {
    element.textContent = options.text;
  }
  if (options.testId !== undefined) {
    element.dataset.testid = options.testId;
  }
  return element;
}

/**
 * Builds the orders table row of one order. onOpen runs when the customer selects its number.
 *
 * @param {OrderSummary} order
 * @param {(order: OrderSummary) => void} onOpen
 * @returns {HTMLTableRowElement}
 */
export function renderOrderRow(order, onOpen) {
  const row = createElement('tr', { testId: 'order-row' });

  const numberCell = createElement('td');
  const open = createElement('button', { className: 'link-button', text: order.number, testId: 'order-number' });
  open.type = 'button';
  open.addEventListener('click', () => onOpen(order));
  numberCell.append(open);

  const dateCell = createElement('td', { testId: 'order-date' });
  dateCell.append(renderTime(order.placedAt, formatDate(order.placedAt)));

  const statusCell = createElement('td', { testId: 'order-status' });
  statusCell.append(renderStatus(order.status));

  const totalCell = createElement('td', { className: 'num', text: formatMoney(order.total), testId: 'order-total' });

  row.append(numberCell, dateCell, statusCell, totalCell);
  return row;
}

/**
 * Builds the facts list of an order's detail: placed date, status and total.
 *
 * @param {OrderDetail} order
 * @returns {HTMLElement[]} Alternating dt and dd elements for a dl.
 */
export function renderOrderFacts(order) {
  return [
    ...renderFact('Placed', renderTime(order.placedAt, formatDateTime(order.placedAt)), 'detail-placed'),
    ...renderFact('Status', renderStatus(order.status), 'detail-status'),
    ...renderFact('Total', formatMoney(order.total), 'detail-total'),
  ];
}

/**
 * Builds the items table row of one order line.
 *
 * @param {OrderItem} item
 * @returns {HTMLTableRowElement}
 */
export function renderItemRow(item) {
  const row = createElement('tr', { testId: 'order-item' });
  const product = item.product;

  const name = product === null
    ? createElement('td', { className: 'muted', text: 'No longer in the catalog', testId: 'item-name' })
    : createElement('td', { text: product.name, testId: 'item-name' });
  const sku = createElement('td', { className: 'sku', text: product === null ? '—' : product.sku, testId: 'item-sku' });
  const quantity = createElement('td', { className: 'num', text: item.quantity.toLocaleString(), testId: 'item-quantity' });
  const unitPrice = createElement('td', { className: 'num', text: formatMoney(item.unitPrice), testId: 'item-unit-price' });
  const priceToday = createElement('td', {
    className: 'num muted',
    text: product === null ? '—' : formatMoney(product.price),
    testId: 'item-price-today',
  });

  row.append(name, sku, quantity, unitPrice, priceToday);
  return row;
}

/**
 * Builds the content of the invoice box: its facts, or a line saying that none was issued.
 *
 * @param {Invoice | null} invoice
 * @returns {HTMLElement}
 */
export function renderInvoice(invoice) {
  if (invoice === null) {
    return createElement('p', { className: 'muted', text: 'No invoice has been issued for this order yet.', testId: 'invoice-none' });
  }

  const paid = invoice.paidAt === null
    ? createElement('span', { className: 'badge badge--unpaid', text: 'Unpaid' })
    : renderTime(invoice.paidAt, formatDate(invoice.paidAt));

  const facts = createElement('dl', { className: 'facts' });
  facts.append(
    ...renderFact('Number', invoice.number, 'invoice-number'),
    ...renderFact('Issued', renderTime(invoice.issuedAt, formatDate(invoice.issuedAt)), 'invoice-issued'),
    ...renderFact('Paid', paid, 'invoice-paid'),
    ...renderFact('Amount due', formatMoney(invoice.amountDue), 'invoice-amount-due'),
  );
  return facts;
}

/**
 * Builds a time element whose datetime attribute keeps the instant as the API sent it.
 *
 * @param {string} instant
 * @param {string} text
 * @returns {HTMLTimeElement}
 */
function renderTime(instant, text) {
  const time = createElement('time', { text });
  time.dateTime = instant;
  return time;
}

/**
 * @param {string} status
 * @returns {HTMLSpanElement}
 */
function renderStatus(status) {
  const modifier = KNOWN_STATUSES.has(status) ? ` badge--${status.toLowerCase()}` : '';
  return createElement('span', { className: `badge${modifier}`, text: statusLabel(status) });
}

/**
 * @param {string} term
 * @param {string | Node} value
 * @param {string} testId
 * @returns {[HTMLElement, HTMLElement]}
 */
function renderFact(term, value, testId) {
  const definition = createElement('dd', { testId });
  definition.append(value);
  return [createElement('dt', { text: term }), definition];
}
