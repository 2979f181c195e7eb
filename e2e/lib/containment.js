// The containment check: everything the browser receives, sends, renders or stores is searched
// for the secrets and back-office details that the gateway must keep from the browser.

/**
 * One piece of text the page had access to, and where it came from.
 *
 * @typedef {{where: string, text: string}} Exposure
 */

/**
 * A forbidden value. pattern is a literal string, searched for case-sensitively, or a RegExp.
 *
 * @typedef {{name: string, pattern: string | RegExp}} Secret
 */

/**
 * A secret found in an exposure, with the text around it.
 *
 * @typedef {{secret: string, where: string, excerpt: string}} Finding
 */

/**
 * PHP parameter names of the back-office contract that never appear on the site. req and key are
 * searched for as form pairs, because the words alone occur in ordinary text. email and password
 * are also the Login operation's variable names, and q is too short to search for, so they are
 * not listed.
 */
const PHP_PARAMETERS = ['req=', 'key=', 'customer_id', 'order_ids', 'ids[]', 'ids%5B%5D', 'offset=', 'limit=', 'X-Api-Key'];

/**
 * Returns the secrets of one running product.
 *
 * @param {{frontKey: string, adminKey: string, signingSecret: string, host: string, port: number}} backOffice
 * @param {{sessionKey: string, origin: string}} gateway
 * @returns {Secret[]}
 */
export function productSecrets(backOffice, gateway) {
  const port = String(backOffice.port);
  /** @type {Secret[]} */
  const secrets = [
    { name: 'API key', pattern: backOffice.frontKey },
    { name: 'admin API key', pattern: backOffice.adminKey },
    { name: 'request-signing key', pattern: backOffice.signingSecret },
    { name: 'session signing key', pattern: gateway.sessionKey },
    { name: 'back-office address', pattern: `${backOffice.host}:${port}` },
    // The port as a number of its own, not as part of a longer number, word or decimal.
    { name: 'back-office port', pattern: new RegExp(`(?<![\\w.])${port}(?![\\w.])`) },
    { name: 'PHP file name', pattern: '.php' },
    ...PHP_PARAMETERS.map((name) => ({ name: `PHP parameter ${name}`, pattern: name })),
  ];
  // NOTE: the back office listens on the gateway's own host, 127.0.0.1. The host alone is then
  // part of every URL the page uses, so it is searched for only together with the port.
  if (!gateway.origin.includes(backOffice.host)) {
    secrets.push({ name: 'back-office host', pattern: backOffice.host });
  }
  return secrets;
}

/**
 * Records every request a context sends and every response it receives, headers and bodies.
 * collect() waits for the bodies still being read and returns the exposures so far.
 *
 * @param {import('playwright-core').BrowserContext} context
 */
export function recordTraffic(context) {
  /** @type {Exposure[]} */
  const exposures = [];
  /** @type {Promise<void>[]} */
  const pending = [];
  /** @type {unknown[]} */
  const failures = [];
  // A read that fails is kept, not left as an unhandled rejection: after the test closed its
  // browser, the reads still in flight fail, and nobody waits for them any more.
  /** @param {Promise<void>} read */
  const track = (read) => pending.push(read.catch((error) => { failures.push(error); }));

  context.on('request', (request) => {
    const label = `${request.method()} ${request.url()}`;
    exposures.push({ where: `request URL of ${label}`, text: request.url() });
    track(request.allHeaders().then((headers) => {
      exposures.push({ where: `request headers of ${label}`, text: formatHeaders(headers) });
    }));
    const body = request.postData();
    if (body !== null) exposures.push({ where: `request body of ${label}`, text: body });
  });

  context.on('response', (response) => {
    const label = `${response.request().method()} ${response.url()}`;
    track((async () => {
      exposures.push({ where: `response headers of ${label}`, text: formatHeaders(await response.allHeaders()) });
      // Redirects have no body to read.
      if (response.status() < 300 || response.status() >= 400) {
        const body = await response.body().catch(() => null);
        if (body !== null) exposures.push({ where: `response body of ${label}`, text: body.toString('utf8') });
      }
    })());
  });

  return {
    /** @returns {Promise<Exposure[]>} */
    async collect() {
      await Promise.all(pending);
      // Traffic that could not be read was not checked, so the check cannot pass on it.
      if (failures.length > 0) {
        throw new Error(`${failures.length} requests or responses could not be read: ${failures[0]}`);
      }
      return [...exposures];
    },
  };
}

/**
 * Returns what the page itself holds: its HTML with inline scripts, the cookies that JavaScript
 * can read, and localStorage and sessionStorage.
 *
 * @param {import('playwright-core').Page} page
 * @returns {Promise<Exposure[]>}
 */
export async function pageExposures(page) {
  const url = page.url();
  const state = await page.evaluate(() => {
    /** @param {Storage} storage */
    const entries = (storage) => Object.fromEntries(Object.keys(storage).map((k) => [k, storage.getItem(k)]));
    return {
      cookie: document.cookie,
      localStorage: JSON.stringify(entries(localStorage)),
      sessionStorage: JSON.stringify(entries(sessionStorage)),
    };
  });
  return [
    { where: `HTML of ${url}`, text: await page.content() },
    { where: `document.cookie of ${url}`, text: state.cookie },
    { where: `localStorage of ${url}`, text: state.localStorage },
    { where: `sessionStorage of ${url}`, text: state.sessionStorage },
  ];
}

/**
 * Returns every secret found in the exposures.
 *
 * @param {Exposure[]} exposures
 * @param {Secret[]} secrets
 * @returns {Finding[]}
 */
export function findSecrets(exposures, secrets) {
  /** @type {Finding[]} */
  const findings = [];
  for (const exposure of exposures) {
    for (const secret of secrets) {
      const index = typeof secret.pattern === 'string'
        ? exposure.text.indexOf(secret.pattern)
        : exposure.text.search(secret.pattern);
      if (index >= 0) {
        const excerpt = exposure.text.slice(Math.max(0, index - 60), index + 80).replace(/\s+/g, ' ');
        findings.push({ secret: secret.name, where: exposure.where, excerpt });
      }
    }
  }
  return findings;
}

/**
 * Formats findings one per line, for a failing test's message.
 *
 * @param {Finding[]} findings
 */
export function describeFindings(findings) {
  return findings.map((f) => `${f.secret} in ${f.where}: …${f.excerpt}…`).join('\n');
}

/** @param {Record<string, string>} headers */
function formatHeaders(headers) {
  return Object.entries(headers).map(([name, value]) => `${name}: ${value}`).join('\n');
}
