// The customer site in headless Chromium, in front of the gateway in production mode and the
// example PHP back office: the customer's journey, a wrong password, and the containment check.

import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';

import { launchBrowser, screenshot } from '../lib/browser.js';
import { describeFindings, findSecrets, pageExposures, productSecrets, recordTraffic } from '../lib/containment.js';
import { startBackOffice, startGateway } from '../lib/stack.js';

/** @type {import('../lib/stack.js').BackOffice} */
let backOffice;
/** @type {import('../lib/stack.js').Gateway} */
let gateway;
/** @type {import('../lib/browser.js').Browser} */
let browser;

before(async () => {
  backOffice = await startBackOffice({ faults: true });
  gateway = await startGateway(backOffice);
  browser = await launchBrowser();
});

// Each test starts logged out.
beforeEach(() => browser.context.clearCookies());

after(async () => {
  await browser?.close();
  await gateway?.stop();
  await backOffice?.stop();
});

/**
 * Opens the site in a new page and logs in with the login form.
 *
 * @param {import('playwright-core').Page} page
 * @param {string} email
 * @param {string} password
 */
async function logIn(page, email, password) {
  await page.goto(`${gateway.origin}/`);
  await page.getByTestId('login-view').waitFor();
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

test('journey as ann', async () => {
  // The gateway turns a response that echoes the key into UPSTREAM_UNAVAILABLE, so the journey
  // runs without key_echo; the next test covers the echo.
  const traffic = recordTraffic(browser.context);
  const page = await browser.context.newPage();
  const exposures = [];

  await page.goto(`${gateway.origin}/`);
  await page.getByTestId('login-view').waitFor();
  await screenshot(page, 'journey-1-login');
  await page.getByTestId('login-email').fill('ann@example.com');
  await page.getByTestId('login-password').fill('demo-password');
  await page.getByTestId('login-submit').click();

  await page.getByTestId('account-view').waitFor();
  await page.getByTestId('order-row').first().waitFor();
  assert.equal(await page.getByTestId('customer-name').textContent(), 'Ann Example');
  assert.equal(await page.getByTestId('order-row').count(), 10);
  const firstPage = await page.getByTestId('order-number').allTextContents();
  await screenshot(page, 'journey-2-orders');
  exposures.push(...await pageExposures(page));

  await page.getByTestId('next-page').click();
  await page.getByTestId('order-number').first().filter({ hasNotText: firstPage[0] }).waitFor();
  const secondPage = await page.getByTestId('order-number').allTextContents();
  assert.equal(secondPage.length, 10);
  assert.deepEqual(secondPage.filter((n) => firstPage.includes(n)), [], 'page 2 repeats orders of page 1');
  await screenshot(page, 'journey-3-next-page');

  await page.getByTestId('previous-page').click();
  await page.getByTestId('order-number').first().filter({ hasText: firstPage[0] }).waitFor();
  assert.deepEqual(await page.getByTestId('order-number').allTextContents(), firstPage);

  // A shipped order has an invoice.
  const shipped = page.getByTestId('order-row').filter({ hasText: 'Shipped' }).first();
  const shippedNumber = await shipped.getByTestId('order-number').textContent() ?? '';
  await shipped.getByTestId('order-number').click();
  await page.getByTestId('order-detail').waitFor();
  await page.getByTestId('order-item').first().waitFor();
  assert.equal(await page.locator('#order-title').textContent(), `Order ${shippedNumber}`);
  assert.ok(await page.getByTestId('order-item').count() >= 1, 'the order shows no items');
  assert.match(await page.getByTestId('invoice-number').textContent() ?? '', /^INV-\d{4}-\d{6}$/);
  await screenshot(page, 'journey-4-order-detail');
  exposures.push(...await pageExposures(page));

  // A second page load in the session, so that Back after the logout returns to a page that
  // showed customer data, possibly restored from the back-forward cache.
  await page.goto(`${gateway.origin}/?reloaded`);
  await page.getByTestId('order-row').first().waitFor();
  await page.getByTestId('logout-button').click();
  await page.getByTestId('login-view').waitFor();
  // The page clears itself at once and shows the notice when the gateway confirms the logout.
  await page.getByTestId('logout-notice').waitFor({ state: 'visible' });
  await screenshot(page, 'journey-5-logged-out');
  exposures.push(...await pageExposures(page));

  // A page restored from the back-forward cache fires no load event, so Back waits only for the
  // navigation to commit.
  await page.goBack({ waitUntil: 'commit' });
  await page.waitForFunction(() => document.readyState === 'complete');
  await page.getByTestId('login-view').waitFor();
  await screenshot(page, 'journey-6-back-after-logout');
  const visibleText = await page.locator('body').innerText();
  assert.equal(await page.getByTestId('account-view').isVisible(), false);
  assert.equal(await page.getByTestId('order-row').count(), 0);
  assert.doesNotMatch(visibleText, /Ann Example/);
  for (const number of firstPage) {
    assert.doesNotMatch(await page.content(), new RegExp(number), `order ${number} is still in the page after logout`);
  }
  exposures.push(...await pageExposures(page));
  await page.close();

  exposures.push(...await traffic.collect());
  assert.ok(exposures.some((e) => e.where.startsWith('response body of POST') && e.text.includes('Ann Example')),
    'the check saw no GraphQL response with customer data, so it checked nothing');
  const findings = findSecrets(exposures, productSecrets(backOffice, gateway));
  assert.equal(findings.length, 0, `the browser saw what the gateway must keep from it:\n${describeFindings(findings)}`);
});

test('login with key_echo on account responses shows an error, not the key', async (t) => {
  await backOffice.setFaults({ 'account_api.php': 'key_echo' });
  t.after(() => backOffice.setFaults({}));
  const traffic = recordTraffic(browser.context);
  const page = await browser.context.newPage();
  await logIn(page, 'ann@example.com', 'demo-password');

  await page.getByTestId('error-message').waitFor();
  assert.equal(await page.getByTestId('account-view').isVisible(), false);
  const exposures = [...await pageExposures(page), ...await traffic.collect()];
  await page.close();
  const findings = findSecrets(exposures, productSecrets(backOffice, gateway));
  assert.equal(findings.length, 0, `the browser saw what the gateway must keep from it:\n${describeFindings(findings)}`);
});

test('wrong password shows a clear message', async () => {
  const page = await browser.context.newPage();
  await logIn(page, 'ann@example.com', 'not-the-password');

  const message = page.getByTestId('error-message');
  await message.waitFor();
  assert.equal((await message.innerText()).trim(), 'Wrong email or password.');
  assert.equal(await page.getByTestId('account-view').isVisible(), false);
  assert.equal(await page.getByTestId('login-password').inputValue(), '');
  await screenshot(page, 'wrong-password');
  await page.close();
});

test('operation typed into the console is refused in production', async () => {
  const page = await browser.context.newPage();
  await logIn(page, 'ann@example.com', 'demo-password');
  await page.getByTestId('order-row').first().waitFor();

  // What a curious customer would paste into the console: an operation the site never sends,
  // with the page's own origin and session cookie.
  const answer = await page.evaluate(async () => {
    const response = await fetch('/graphql', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: '{ me { id name email orders(first: 100) { totalCount } } }' }),
    });
    return { status: response.status, body: await response.json() };
  });
  assert.equal(answer.status, 403);
  assert.equal(answer.body.errors?.[0]?.extensions?.code, 'OPERATION_NOT_ALLOWED');
  assert.equal(answer.body.data ?? null, null);
  await page.close();
});

test('containment check fails on key_echo through a fake leaky gateway', async (t) => {
  // The fake takes the place of a careless gateway. It copies the back office's raw response, here
  // with the key echoed by key_echo, into every GraphQL response that the page receives.
  await backOffice.setFaults({ 'account_api.php': 'key_echo' });
  t.after(() => backOffice.setFaults({}));
  const leak = await fetch(`${backOffice.url}account_api.php`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ req: 'profile', customer_id: '1', key: backOffice.frontKey }),
  }).then((r) => r.text());
  assert.match(leak, new RegExp(backOffice.frontKey), 'key_echo did not echo the key');

  const context = browser.context;
  await context.route('**/graphql', async (route) => {
    const response = await route.fetch();
    const body = await response.json();
    body.extensions = { ...body.extensions, upstream: JSON.parse(leak) };
    await route.fulfill({ response, json: body });
  });
  t.after(() => context.unroute('**/graphql'));
  const traffic = recordTraffic(context);

  const page = await context.newPage();
  await page.goto(`${gateway.origin}/`);
  await page.getByTestId('login-view').waitFor();
  const exposures = [...await pageExposures(page), ...await traffic.collect()];
  await page.close();

  const findings = findSecrets(exposures, productSecrets(backOffice, gateway));
  t.diagnostic(`findings of the check:\n${describeFindings(findings)}`);
  const keyFindings = findings.filter((f) => f.secret === 'API key');
  assert.ok(keyFindings.some((f) => f.where === `response body of POST ${gateway.origin}/graphql`),
    `the check missed the echoed key:\n${describeFindings(findings)}`);
});

test('production serves no GraphiQL', async () => {
  const page = await browser.context.newPage();
  const response = await page.goto(`${gateway.origin}/playground`);
  assert.equal(response?.status(), 404);
  await page.close();
});
