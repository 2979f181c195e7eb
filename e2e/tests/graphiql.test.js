// GraphiQL in development: served by the gateway from e2e/node_modules, without a CDN, and
// querying as the customer whose session cookie the site set.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchBrowser, screenshot } from '../lib/browser.js';
import { startBackOffice, startGateway } from '../lib/stack.js';

/** @type {import('../lib/stack.js').BackOffice} */
let backOffice;
/** @type {import('../lib/stack.js').Gateway} */
let gateway;
/** @type {import('../lib/browser.js').Browser} */
let browser;

before(async () => {
  backOffice = await startBackOffice();
  gateway = await startGateway(backOffice, { development: true });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await gateway?.stop();
  await backOffice?.stop();
});

test('GraphiQL queries as the customer logged in on the site', async () => {
  const page = await browser.context.newPage();
  /** @type {string[]} */
  const foreignRequests = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(`${gateway.origin}/`) && !request.url().startsWith('data:')) {
      foreignRequests.push(request.url());
    }
  });

  await page.goto(`${gateway.origin}/`);
  await page.getByTestId('login-email').fill('ann@example.com');
  await page.getByTestId('login-password').fill('demo-password');
  await page.getByTestId('login-submit').click();
  await page.getByTestId('account-view').waitFor();

  await page.goto(`${gateway.origin}/playground`);
  const editor = page.locator('.graphiql-query-editor .CodeMirror');
  await editor.waitFor();
  // GraphiQL 4 edits with CodeMirror 5, which keeps its instance on the wrapper element. Setting
  // the text there avoids the editor's automatic closing brackets.
  await editor.evaluate((element, query) => {
    /** @type {{CodeMirror: {setValue: (text: string) => void}}} */ (/** @type {unknown} */ (element)).CodeMirror.setValue(query);
  }, '{ me { id name } orders(first: 2) { totalCount } }');
  await page.locator('.graphiql-execute-button').click();

  const result = page.locator('.graphiql-response .CodeMirror');
  await result.filter({ hasText: 'totalCount' }).waitFor();
  await screenshot(page, 'graphiql');
  const text = await result.evaluate((element) => /** @type {{CodeMirror: {getValue: () => string}}} */ (/** @type {unknown} */ (element)).CodeMirror.getValue());
  assert.deepEqual(JSON.parse(text), { data: { me: { id: '1', name: 'Ann Example' }, orders: { totalCount: 34 } } });
  assert.deepEqual(foreignRequests, [], 'GraphiQL requested files from another origin');
  await page.close();
});
