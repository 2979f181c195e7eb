// Starts the product for the browser tests: the example PHP back office under php -S with a
// freshly seeded database, and the gateway binary built from this checkout. Both listen on free
// loopback ports, and each runs in its own process group so that stop() also ends the workers
// that php -S forks.

import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository's root folder. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The node_modules folder of e2e/, which contains the GraphiQL and React files. */
export const nodeModules = join(repoRoot, 'e2e', 'node_modules');

const LOOPBACK = '127.0.0.1';

/** How long a started server may take to accept connections before the suite gives up. */
const STARTUP_LIMIT_MS = 20_000;

/**
 * A server process started by this module.
 *
 * @typedef {object} Service
 * @property {import('node:child_process').ChildProcess} process
 * @property {() => string} output Everything the process wrote to stdout and stderr so far.
 * @property {() => Promise<void>} stop Ends the process group and waits for the process to exit.
 */

/**
 * The example back office.
 *
 * @typedef {Service & {url: string, host: string, port: number, frontKey: string, adminKey: string,
 *   signingKeys: string, signingSecret: string,
 *   setFaults: (faults: Record<string, string>) => Promise<void>}} BackOffice
 */

/**
 * The gateway.
 *
 * @typedef {Service & {origin: string, sessionKey: string}} Gateway
 */

/**
 * Returns a loopback port that was free a moment ago.
 *
 * @returns {Promise<number>}
 */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = /** @type {import('node:net').AddressInfo} */ (server.address());
      server.close(() => resolvePort(address.port));
    });
  });
}

/**
 * Returns a random secret of the given length in bytes, base64 encoded.
 *
 * @param {number} bytes
 */
export function randomSecret(bytes) {
  return randomBytes(bytes).toString('base64');
}

/**
 * Seeds a database and starts the back office under php -S. With faults set, its test-only fault
 * modes are enabled and setFaults rewrites the fault file, for example {"*": "key_echo"}.
 *
 * @param {{faults?: boolean}} [options]
 * @returns {Promise<BackOffice>}
 */
export async function startBackOffice(options = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'customer-gateway-e2e-php-'));
  const db = join(dir, 'admin-api.sqlite');
  const faultFile = join(dir, 'faults.json');
  await writeFile(faultFile, '{}');
  await run('php', ['web-example/admin-api/seed.php', db], { cwd: repoRoot });

  // Letters and digits only, so that the key reads the same in a URL, a form body and JSON.
  const frontKey = `front${randomBytes(16).toString('hex')}`;
  const adminKey = `admin${randomBytes(16).toString('hex')}`;
  // One request-signing key shared with the gateway. The back office checks every signature it
  // gets, and requires one unless the test also calls it directly to set up a fault.
  const signingSecret = randomBytes(32).toString('base64');
  const signingKeys = `e2e:${signingSecret}`;
  const port = await freePort();
  /** @type {NodeJS.ProcessEnv} */
  const env = {
    ...process.env,
    ADMIN_API_DB: db,
    ADMIN_API_FRONT_KEY: frontKey,
    ADMIN_API_ADMIN_KEY: adminKey,
    ADMIN_API_SIGNING_KEYS: signingKeys,
    ADMIN_API_REQUIRE_SIGNATURES: options.faults ? '0' : '1',
    ADMIN_API_NONCE_DB: join(dir, 'nonces.sqlite'),
    PHP_CLI_SERVER_WORKERS: '2',
  };
  if (options.faults) {
    env.ADMIN_API_TEST_FAULTS = '1';
    env.ADMIN_API_FAULT_FILE = faultFile;
  }
  const service = await startService('php', ['-S', `${LOOPBACK}:${port}`, 'router.php'], {
    cwd: join(repoRoot, 'web-example', 'admin-api'),
    env,
    port,
    cleanup: dir,
  });
  return {
    ...service,
    url: `http://${LOOPBACK}:${port}/apis/`,
    host: LOOPBACK,
    port,
    frontKey,
    adminKey,
    signingKeys,
    signingSecret,
    setFaults: (faults) => writeFile(faultFile, JSON.stringify(faults)),
  };
}

/** @type {Promise<string> | undefined} */
let gatewayBinary;

/**
 * Builds the gateway once per test process and returns the binary's path.
 *
 * @returns {Promise<string>}
 */
export function buildGateway() {
  gatewayBinary ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'customer-gateway-e2e-bin-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const binary = join(dir, 'customer-gateway');
    await run('go', ['build', '-o', binary, '.'], { cwd: repoRoot });
    return binary;
  })();
  return gatewayBinary;
}

/**
 * Starts the gateway in front of backOffice, serving the customer site. development switches
 * GATEWAY_ENV to development and serves GraphiQL from e2e/node_modules.
 *
 * @param {BackOffice} backOffice
 * @param {{development?: boolean}} [options]
 * @returns {Promise<Gateway>}
 */
export async function startGateway(backOffice, options = {}) {
  const binary = await buildGateway();
  const dir = await mkdtemp(join(tmpdir(), 'customer-gateway-e2e-gw-'));
  const port = await freePort();
  const adminPort = await freePort();
  const sessionKey = randomSecret(32);
  /** @type {NodeJS.ProcessEnv} */
  const env = {
    ...process.env,
    GATEWAY_ENV: options.development ? 'development' : 'production',
    LISTEN_ADDR: `${LOOPBACK}:${port}`,
    ALLOWED_ORIGINS: `http://${LOOPBACK}:${port}`,
    ADMIN_ADDR: `${LOOPBACK}:${adminPort}`,
    UPSTREAM_URL: backOffice.url,
    UPSTREAM_API_KEY: backOffice.frontKey,
    UPSTREAM_SIGNING_KEYS: backOffice.signingKeys,
    UPSTREAM_TIMEZONE: 'Europe/Berlin',
    SESSION_KEYS: sessionKey,
    SESSION_DIR: join(dir, 'sessions'),
    SITE_DIR: join(repoRoot, 'web-example', 'site'),
  };
  if (options.development) {
    env.GRAPHIQL_DIR = nodeModules;
  }
  const service = await startService(binary, [], { cwd: repoRoot, env, port, cleanup: dir });
  return { ...service, origin: `http://${LOOPBACK}:${port}`, sessionKey };
}

/**
 * Spawns a server in its own process group and waits until it accepts connections on port.
 *
 * @param {string} command
 * @param {string[]} args
 * @param {{cwd: string, env: NodeJS.ProcessEnv, port: number, cleanup: string}} options
 * @returns {Promise<Service>}
 */
async function startService(command, args, options) {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => { output += chunk; });
  child.stderr?.on('data', (chunk) => { output += chunk; });
  const exited = new Promise((resolveExit) => child.once('exit', resolveExit));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      // A negative pid signals the whole group, so php -S takes its forked workers along.
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch (error) {
        if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'ESRCH') throw error;
      }
      await exited;
    }
    await rm(options.cleanup, { recursive: true, force: true });
  };

  try {
    await waitForPort(options.port, exited);
  } catch (error) {
    await stop();
    throw new Error(`${command} did not start: ${/** @type {Error} */ (error).message}\n${output}`);
  }
  return { process: child, output: () => output, stop };
}

/**
 * Resolves when a TCP connection to the loopback port succeeds, and rejects when the process
 * exits first or STARTUP_LIMIT_MS passes.
 *
 * @param {number} port
 * @param {Promise<unknown>} exited
 */
async function waitForPort(port, exited) {
  let hasExited = false;
  exited.then(() => { hasExited = true; });
  const deadline = Date.now() + STARTUP_LIMIT_MS;
  for (;;) {
    if (hasExited) throw new Error('the process exited');
    if (await canConnect(port)) return;
    if (Date.now() > deadline) throw new Error(`port ${port} still refuses connections after ${STARTUP_LIMIT_MS} ms`);
    await new Promise((wake) => setTimeout(wake, 50));
  }
}

/** @param {number} port */
function canConnect(port) {
  return new Promise((resolveConnect) => {
    const socket = createConnection({ host: LOOPBACK, port });
    socket.once('connect', () => { socket.destroy(); resolveConnect(true); });
    socket.once('error', () => resolveConnect(false));
  });
}
