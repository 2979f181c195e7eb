// Page logic of the customer account page: login, orders with paging, order detail, logout.
// The profile form and the support section live in profile.js and support.js.
//
// The session is an HttpOnly cookie that this script cannot read, so the page sends the Me query
// on load. Customer data lives only in the DOM and in `state` below. Nothing is written to
// localStorage, sessionStorage or the history entries, and logout empties the DOM and `state`.

import { ApiError, ClientErrorCode, request } from './api.js';
import { createProfileForm } from './profile.js';
import { renderInvoice, renderItemRow, renderOrderFacts, renderOrderRow } from './render.js';
import { createSupportSection } from './support.js';

/** @typedef {import('./render.js').Customer} Customer */
/** @typedef {import('./render.js').OrderSummary} OrderSummary */
/** @typedef {import('./render.js').OrderConnection} OrderConnection */
/** @typedef {import('./render.js').OrderDetail} OrderDetail */

/** Orders per page. The API accepts 1 to 100. */
const PAGE_SIZE = 10;

const GENERIC_ERROR = 'Something went wrong on our side. Please try again in a moment.';
const NETWORK_ERROR = 'The shop could not be reached. Check your connection and try again.';
const SESSION_ENDED = 'Your session has ended. Please log in again.';

/**
 * Returns the element with this id, checked against the expected type.
 *
 * @template {HTMLElement} T
 * @param {string} id
 * @param {{new (): T, prototype: T}} type
 * @returns {T}
 */
function byId(id, type) {
  const element = document.getElementById(id);
  if (!(element instanceof type)) {
    throw new Error(`index.html has no ${type.name} with id ${JSON.stringify(id)}`);
  }
  return element;
}

const ui = {
  accountBar: byId('account-bar', HTMLElement),
  customerName: byId('customer-name', HTMLElement),
  logoutButton: byId('logout-button', HTMLButtonElement),

  errorBox: byId('error-message', HTMLElement),
  errorText: byId('error-text', HTMLElement),
  retryButton: byId('retry-button', HTMLButtonElement),

  loadingView: byId('loading-view', HTMLElement),
  loginView: byId('login-view', HTMLElement),
  logoutNotice: byId('logout-notice', HTMLElement),
  loginForm: byId('login-form', HTMLFormElement),
  loginEmail: byId('login-email', HTMLInputElement),
  loginPassword: byId('login-password', HTMLInputElement),
  loginSubmit: byId('login-submit', HTMLButtonElement),

  accountView: byId('account-view', HTMLElement),
  ordersTitle: byId('orders-title', HTMLElement),
  ordersSummary: byId('orders-summary', HTMLElement),
  ordersTable: byId('orders-table', HTMLTableElement),
  ordersBody: byId('orders-body', HTMLTableSectionElement),
  ordersEmpty: byId('orders-empty', HTMLElement),
  previousPage: byId('previous-page', HTMLButtonElement),
  nextPage: byId('next-page', HTMLButtonElement),
  pageLabel: byId('page-label', HTMLElement),

  orderDetail: byId('order-detail', HTMLElement),
  orderTitle: byId('order-title', HTMLElement),
  closeDetail: byId('close-detail', HTMLButtonElement),
  orderFacts: byId('order-facts', HTMLElement),
  itemsBody: byId('items-body', HTMLTableSectionElement),
  invoice: byId('invoice', HTMLElement),
};

/**
 * Customer data and request counters of the page. clearCustomerData empties the customer fields
 * and advances the counters.
 */
const state = {
  /**
   * Incremented when a customer enters the account view and when clearCustomerData runs. An
   * asynchronous step compares it before rendering and drops a response of an earlier session.
   */
  generation: 0,
  /** @type {Customer | null} */
  customer: null,
  /** The after cursor that loaded the page on screen, or null for the first page. @type {string | null} */
  pageAfter: null,
  /** The after cursors of the pages before the one on screen, oldest first. @type {(string | null)[]} */
  previousCursors: [],
  /** @type {{hasNextPage: boolean, endCursor: string | null}} */
  pageInfo: { hasNextPage: false, endCursor: null },
  totalCount: 0,
  /** Incremented on every orders request, so that only the latest one renders. */
  ordersRequest: 0,
  /** The id of the order in the detail panel, or null when the panel is closed. @type {string | null} */
  openOrderId: null,
  /** Incremented on every order detail request, so that only the latest one renders. */
  detailRequest: 0,
  /** Action of the "Try again" button, or null while the button is hidden. @type {(() => void) | null} */
  retry: null,
};

const profileForm = createProfileForm((error, retry) => handleAccountError(error, retry));
const supportSection = createSupportSection((error, retry) => handleAccountError(error, retry));

/** The order id of each row in the orders table, emptied together with the table. */
const rowOrderIds = /** @type {Map<HTMLTableRowElement, string>} */ (new Map());

start();

function start() {
  ui.loginForm.addEventListener('submit', onLoginSubmit);
  ui.logoutButton.addEventListener('click', () => void logout());
  ui.previousPage.addEventListener('click', showPreviousPage);
  ui.nextPage.addEventListener('click', showNextPage);
  ui.closeDetail.addEventListener('click', closeOrderDetail);
  ui.retryButton.addEventListener('click', () => {
    const retry = state.retry;
    clearError();
    retry?.();
  });

  // A page restored from the back-forward cache shows the DOM as it was when the customer left.
  // The session may have ended since, so the page clears the customer data and checks again.
  window.addEventListener('pageshow', (event) => {
    if (event.persisted) {
      clearCustomerData();
      void checkSession();
    }
  });

  void checkSession();
}

/** Sends the Me query and shows the account, or the login form when there is no session. */
async function checkSession() {
  const generation = state.generation;
  showView('loading');
  clearError();

  let customer;
  try {
    const data = await request('Me');
    customer = data.me;
  } catch (error) {
    if (generation === state.generation) {
      showError(describeError(error), checkSession);
    }
    return;
  }

  if (generation !== state.generation) {
    return;
  }
  if (customer === null) {
    showView('login');
    return;
  }
  enterAccount(customer);
}

/** @param {SubmitEvent} event */
async function onLoginSubmit(event) {
  event.preventDefault();
  clearError();
  ui.logoutNotice.hidden = true;

  const email = ui.loginEmail.value.trim();
  const password = ui.loginPassword.value;
  if (email === '' || password === '') {
    showError('Enter your email and password.');
    (email === '' ? ui.loginEmail : ui.loginPassword).focus();
    return;
  }

  const generation = state.generation;
  ui.loginSubmit.disabled = true;
  let customer;
  try {
    const data = await request('Login', { email, password });
    customer = data.login.customer;
  } catch (error) {
    if (generation === state.generation) {
      ui.loginPassword.value = '';
      showError(describeError(error, {
        BAD_USER_INPUT: 'Wrong email or password.',
        OUTCOME_UNKNOWN: 'We could not confirm your login. Reload the page to see whether you are logged in.',
      }));
      ui.loginPassword.focus();
    }
    return;
  } finally {
    ui.loginSubmit.disabled = false;
  }

  if (generation !== state.generation) {
    return;
  }
  ui.loginForm.reset();
  enterAccount(customer);
}

/**
 * Shows the account of a logged-in customer and loads the first page of orders.
 *
 * @param {Customer} customer
 */
function enterAccount(customer) {
  state.generation += 1;
  state.customer = customer;
  ui.customerName.textContent = customer.name;
  ui.logoutButton.disabled = false;
  showView('account');
  ui.ordersTitle.focus();
  void loadOrdersPage(null, []);
  void profileForm.load();
  void supportSection.load();
}

/**
 * Loads the page of orders that follows the cursor after, and shows it. Once the page has loaded,
 * previousCursors becomes the stack of the pages before it. On failure the page on screen stays.
 *
 * @param {string | null} after
 * @param {(string | null)[]} previousCursors
 */
async function loadOrdersPage(after, previousCursors) {
  const generation = state.generation;
  const requestNumber = ++state.ordersRequest;
  setOrdersBusy(true);

  let connection;
  try {
    const data = await request('Orders', { first: PAGE_SIZE, after });
    connection = data.orders;
  } catch (error) {
    if (generation === state.generation && requestNumber === state.ordersRequest) {
      setOrdersBusy(false);
      handleAccountError(error, () => void loadOrdersPage(after, previousCursors));
    }
    return;
  }
  if (generation !== state.generation || requestNumber !== state.ordersRequest) {
    return;
  }

  state.pageAfter = after;
  state.previousCursors = previousCursors;
  state.pageInfo = connection.pageInfo;
  state.totalCount = connection.totalCount;
  renderOrdersPage(connection.edges.map((edge) => edge.node));
  setOrdersBusy(false);
}

function showNextPage() {
  if (!state.pageInfo.hasNextPage || state.pageInfo.endCursor === null) {
    return;
  }
  void loadOrdersPage(state.pageInfo.endCursor, [...state.previousCursors, state.pageAfter]);
}

function showPreviousPage() {
  if (state.previousCursors.length === 0) {
    return;
  }
  const after = state.previousCursors[state.previousCursors.length - 1];
  void loadOrdersPage(after, state.previousCursors.slice(0, -1));
}

/** @param {OrderSummary[]} orders */
function renderOrdersPage(orders) {
  rowOrderIds.clear();
  ui.ordersBody.replaceChildren(...orders.map((order) => {
    const row = renderOrderRow(order, (selected) => void openOrderDetail(selected.id));
    rowOrderIds.set(row, order.id);
    return row;
  }));
  markSelectedRow();

  const total = state.totalCount;
  ui.ordersSummary.textContent = `${total.toLocaleString()} ${total === 1 ? 'order' : 'orders'} in all`;
  ui.ordersEmpty.hidden = orders.length > 0;
  ui.ordersTable.hidden = orders.length === 0;

  const pageCount = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const pageNumber = state.previousCursors.length + 1;
  ui.pageLabel.textContent = `Page ${pageNumber.toLocaleString()} of ${Math.max(pageCount, pageNumber).toLocaleString()}`;
}

/** @param {boolean} busy */
function setOrdersBusy(busy) {
  ui.ordersTable.setAttribute('aria-busy', String(busy));
  ui.previousPage.disabled = busy || state.previousCursors.length === 0;
  ui.nextPage.disabled = busy || !state.pageInfo.hasNextPage;
}

/**
 * Loads one order with its items and invoice into the detail panel.
 *
 * @param {string} id
 */
async function openOrderDetail(id) {
  const generation = state.generation;
  const requestNumber = ++state.detailRequest;
  state.openOrderId = id;
  markSelectedRow();
  clearError();

  clearOrderDetail();
  ui.orderTitle.textContent = 'Loading order…';
  ui.orderDetail.setAttribute('aria-busy', 'true');
  ui.orderDetail.hidden = false;

  let order;
  try {
    const data = await request('OrderDetail', { id });
    order = data.order;
  } catch (error) {
    if (generation === state.generation && requestNumber === state.detailRequest) {
      closeOrderDetail();
      handleAccountError(error, () => void openOrderDetail(id), {
        NOT_FOUND: 'This order could not be found.',
      });
    }
    return;
  }
  if (generation !== state.generation || requestNumber !== state.detailRequest) {
    return;
  }
  if (order === null) {
    closeOrderDetail();
    showError('This order could not be found.');
    return;
  }

  ui.orderTitle.textContent = `Order ${order.number}`;
  ui.orderFacts.replaceChildren(...renderOrderFacts(order));
  ui.itemsBody.replaceChildren(...order.items.map(renderItemRow));
  ui.invoice.replaceChildren(renderInvoice(order.invoice));
  ui.orderDetail.setAttribute('aria-busy', 'false');
  ui.orderTitle.focus();
}

function closeOrderDetail() {
  state.detailRequest += 1;
  state.openOrderId = null;
  clearOrderDetail();
  ui.orderDetail.hidden = true;
  markSelectedRow();
}

function clearOrderDetail() {
  ui.orderTitle.textContent = '';
  ui.orderFacts.replaceChildren();
  ui.itemsBody.replaceChildren();
  ui.invoice.replaceChildren();
  ui.orderDetail.setAttribute('aria-busy', 'false');
}

/** Highlights the orders table row whose order is in the detail panel. */
function markSelectedRow() {
  for (const row of ui.ordersBody.rows) {
    row.classList.toggle('is-selected', state.openOrderId !== null && rowOrderIds.get(row) === state.openOrderId);
  }
}

/**
 * Logs out. The page clears the customer data at once, then sends the Logout mutation. When that
 * request fails the session may still be open, so the page shows an error with a retry button.
 */
async function logout() {
  clearCustomerData();
  clearError();
  history.replaceState(null, '', location.pathname);
  showView('login');
  await endSession();
}

/**
 * Sends the Logout mutation. The login button stays disabled meanwhile, because a Logout that
 * reached the gateway after a new Login would end the new session.
 */
async function endSession() {
  const generation = state.generation;
  ui.logoutNotice.hidden = true;
  ui.loginSubmit.disabled = true;
  try {
    await request('Logout');
  } catch (error) {
    if (generation === state.generation) {
      console.error('logout failed', error);
      showError('Logging out failed, so your session may still be open. Please try again.', () => void endSession());
    }
    return;
  } finally {
    ui.loginSubmit.disabled = false;
  }

  if (generation === state.generation) {
    ui.logoutNotice.hidden = false;
  }
}

/**
 * Removes every piece of customer data from the DOM and from memory, and invalidates the
 * responses still on their way.
 */
function clearCustomerData() {
  state.generation += 1;
  state.customer = null;
  state.pageAfter = null;
  state.previousCursors = [];
  state.pageInfo = { hasNextPage: false, endCursor: null };
  state.totalCount = 0;
  state.ordersRequest += 1;
  state.openOrderId = null;
  state.detailRequest += 1;
  clearError();

  ui.customerName.textContent = '';
  rowOrderIds.clear();
  ui.ordersBody.replaceChildren();
  ui.ordersSummary.textContent = '';
  ui.pageLabel.textContent = '';
  ui.ordersEmpty.hidden = true;
  clearOrderDetail();
  ui.orderDetail.hidden = true;
  ui.loginForm.reset();
  profileForm.clear();
  supportSection.clear();
  setOrdersBusy(false);
  ui.logoutButton.disabled = true;
  showView('login');
}

/**
 * Shows an error of an operation that needs a login. UNAUTHENTICATED means that the session
 * ended elsewhere (timeout, logout in another tab), so the page clears the customer data.
 *
 * @param {unknown} error
 * @param {() => void} retry
 * @param {Record<string, string>} [messages]
 */
function handleAccountError(error, retry, messages) {
  if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') {
    clearCustomerData();
    history.replaceState(null, '', location.pathname);
    showError(SESSION_ENDED);
    ui.loginEmail.focus();
    return;
  }
  const canRetry = !(error instanceof ApiError && error.code === 'NOT_FOUND');
  showError(describeError(error, messages), canRetry ? retry : null);
}

/**
 * Returns the message to show for a failed request. messages maps error codes to texts that fit
 * the operation. Other codes get a fixed text, because the gateway's message may be written for
 * a developer rather than a customer.
 *
 * @param {unknown} error
 * @param {Record<string, string>} [messages]
 * @returns {string}
 */
function describeError(error, messages = {}) {
  if (!(error instanceof ApiError)) {
    console.error(error);
    return GENERIC_ERROR;
  }
  if (Object.hasOwn(messages, error.code)) {
    return messages[error.code];
  }

  switch (error.code) {
    case ClientErrorCode.NETWORK_ERROR:
      return NETWORK_ERROR;
    case 'UNAUTHENTICATED':
      return SESSION_ENDED;
    case 'RATE_LIMITED': {
      if (error.retryAfter === undefined || error.retryAfter <= 0) {
        return 'Too many requests. Please wait a moment and try again.';
      }
      const seconds = Math.ceil(error.retryAfter);
      return `Too many requests. Please wait ${seconds.toLocaleString()} ${seconds === 1 ? 'second' : 'seconds'} and try again.`;
    }
    default:
      console.error(`${error.code}: ${error.message}`, error.requestId ?? '');
      return error.requestId === undefined ? GENERIC_ERROR : `${GENERIC_ERROR} (Reference: ${error.requestId})`;
  }
}

/**
 * Shows a message in the error box. With retry, a "Try again" button runs it.
 *
 * @param {string} message
 * @param {(() => void) | null} [retry]
 */
function showError(message, retry = null) {
  ui.errorText.textContent = message;
  state.retry = retry;
  ui.retryButton.hidden = retry === null;
  ui.errorBox.hidden = false;
}

function clearError() {
  ui.errorText.textContent = '';
  state.retry = null;
  ui.retryButton.hidden = true;
  ui.errorBox.hidden = true;
}

/**
 * Shows one of the page's three views and hides the others.
 *
 * @param {'loading' | 'login' | 'account'} view
 */
function showView(view) {
  ui.loadingView.hidden = view !== 'loading';
  ui.loginView.hidden = view !== 'login';
  ui.accountView.hidden = view !== 'account';
  ui.accountBar.hidden = view !== 'account';
  if (view === 'login' && document.activeElement !== ui.loginPassword) {
    ui.loginEmail.focus();
  }
}
