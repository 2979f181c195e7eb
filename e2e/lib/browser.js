// Launches the Debian chromium package through playwright-core, which downloads no browser of its
// own. The flags keep Chromium off the network, because this suite talks to loopback servers only
// and the machines it runs on may have no other network.

import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

import { repoRoot } from './stack.js';

/** Folder of the step screenshots, which CI keeps. */
export const screenshotDir = join(repoRoot, 'e2e', 'screenshots');

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Returns the Chromium executable: CHROMIUM_PATH, or the binary of the Debian package, which is
 * called directly because its /usr/bin/chromium wrapper script only adds flags from /etc.
 */
function chromiumPath() {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  for (const path of ['/usr/lib/chromium/chromium', '/usr/bin/chromium']) {
    if (existsSync(path)) return path;
  }
  throw new Error('Chromium is not installed: run make test, which installs the chromium package, or set CHROMIUM_PATH');
}

/**
 * A browser context with a fresh profile, and the function that closes it and removes the profile.
 *
 * @typedef {{context: import('playwright-core').BrowserContext, close: () => Promise<void>}} Browser
 */

/** @returns {Promise<Browser>} */
export async function launchBrowser() {
  const profile = await mkdtemp(join(tmpdir(), 'customer-gateway-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_FLAGS,
    // Playwright turns the back-forward cache off by default. The site must clear customer data
    // from a page that Back restores from that cache, so the tests keep it on, as browsers do.
    ignoreDefaultArgs: ['--disable-back-forward-cache'],
    viewport: { width: 1100, height: 760 },
    locale: 'en-GB',
    timezoneId: 'Europe/Berlin',
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Saves a full-page screenshot of page as screenshots/<name>.png.
 *
 * @param {import('playwright-core').Page} page
 * @param {string} name
 */
export async function screenshot(page, name) {
  await mkdir(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
}
