// Client of the gateway's GraphQL endpoint. The operations are the .graphql files under
// operations/, one named operation per file, loaded on first use and cached for the page's life.

/** @import * as Ops from './operations' */

/** Path of the GraphQL endpoint, on the page's own origin. */
const ENDPOINT = '/graphql';

/** Folder of the operation files, relative to the page. */
const OPERATIONS_FOLDER = 'operations/';

/** Operation names are file names too, so only plain identifiers are accepted. */
const OPERATION_NAME = /^[A-Za-z][A-Za-z0-9]*$/;

/**
 * Error codes that this module sets itself, beside the gateway's extensions.code values.
 */
export const ClientErrorCode = Object.freeze({
  /** The request did not reach the gateway, or its response did not arrive. */
  NETWORK_ERROR: 'NETWORK_ERROR',
  /** The gateway returned a response that is not a GraphQL response. */
  BAD_RESPONSE: 'BAD_RESPONSE',
  /** The operation's .graphql file could not be loaded. */
  OPERATION_UNAVAILABLE: 'OPERATION_UNAVAILABLE',
});

/**
 * ApiError is the error that request throws. code is the first GraphQL error's extensions.code,
 * or one of ClientErrorCode. message is that GraphQL error's message, which the gateway keeps
 * free of upstream text, or a fixed English text for the client's own codes.
 */
export class ApiError extends Error {
  /**
   * @param {string} code
   * @param {string} message
   * @param {{requestId?: string, retryAfter?: number, status?: number, field?: string, current?: unknown, cause?: unknown}} [details]
   */
  constructor(code, message, details = {}) {
    super(message, { cause: details.cause });
    this.name = 'ApiError';
    /** The gateway's extensions.code, or one of ClientErrorCode. */
    this.code = code;
    /** The gateway's extensions.requestId, to quote when reporting a problem. */
    this.requestId = details.requestId;
    /** Seconds to wait before trying again, from extensions.retryAfter on RATE_LIMITED. */
    this.retryAfter = details.retryAfter;
    /** The HTTP status of the response, when there was one. */
    this.status = details.status;
    /** The argument path of an invalid input from extensions.field on BAD_USER_INPUT, for example "input.phone". */
    this.field = details.field;
    /** The stored record from extensions.current on CONFLICT. */
    this.current = details.current;
  }
}

/**
 * The site's operations by name, with the variables and data types that graphql-codegen generates
 * into operations.d.ts. An operation file added under operations/ gets its entry here.
 *
 * @typedef {object} Operations
 * @property {{variables: Ops.LoginMutationVariables, data: Ops.LoginMutation}} Login
 * @property {{variables: Ops.LogoutMutationVariables, data: Ops.LogoutMutation}} Logout
 * @property {{variables: Ops.MeQueryVariables, data: Ops.MeQuery}} Me
 * @property {{variables: Ops.OrdersQueryVariables, data: Ops.OrdersQuery}} Orders
 * @property {{variables: Ops.OrderDetailQueryVariables, data: Ops.OrderDetailQuery}} OrderDetail
 * @property {{variables: Ops.ProfileQueryVariables, data: Ops.ProfileQuery}} Profile
 * @property {{variables: Ops.UpdateProfileMutationVariables, data: Ops.UpdateProfileMutation}} UpdateProfile
 * @property {{variables: Ops.TicketsQueryVariables, data: Ops.TicketsQuery}} Tickets
 * @property {{variables: Ops.OpenTicketMutationVariables, data: Ops.OpenTicketMutation}} OpenTicket
 * @property {{variables: Ops.ReplyToTicketMutationVariables, data: Ops.ReplyToTicketMutation}} ReplyToTicket
 */

/** @type {Map<string, Promise<string>>} */
const operationTexts = new Map();

/**
 * Sends one operation to the gateway and returns its data.
 *
 * Throws an ApiError carrying the first GraphQL error, also when the response contains partial
 * data beside its errors, so a caller cannot render a half-resolved operation by accident.
 *
 * @template {keyof Operations} Name
 * @param {Name} operationName Name of the operation and of its file under operations/.
 * @param {Operations[Name]['variables']} [variables]
 * @returns {Promise<Operations[Name]['data']>}
 */
export async function request(operationName, variables = {}) {
  // Trusted documents: the gateway stores the site's operations by hash, so the hash goes first.
  // A development gateway whose manifest lacks the hash returns PERSISTED_QUERY_NOT_FOUND, and
  // the text follows. A production gateway rejects that text unless its hash is listed.
  const hash = await operationHash(operationName);
  if (hash !== undefined) {
    try {
      const data = await send({ operationName, variables, extensions: persistedQuery(hash) });
      return /** @type {Operations[Name]['data']} */ (data);
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== 'PERSISTED_QUERY_NOT_FOUND') {
        throw error;
      }
    }
  }
  const query = await loadOperation(operationName);
  // The gateway checked the response against the schema, which the generated types follow.
  return /** @type {Operations[Name]['data']} */ (await send({ query, operationName, variables }));
}

/**
 * Posts one GraphQL request body and returns its data, or throws an ApiError.
 *
 * @param {{query?: string, operationName: string, variables: Record<string, unknown>, extensions?: object}} body
 * @returns {Promise<Record<string, unknown>>}
 */
async function send(body) {
  let response;
  try {
    response = await fetch(ENDPOINT, {
      method: 'POST',
      credentials: 'same-origin',
      cache: 'no-store',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/graphql-response+json, application/json;q=0.9',
      },
      body: JSON.stringify(body),
    });
  } catch (cause) {
    throw new ApiError(ClientErrorCode.NETWORK_ERROR, 'The gateway could not be reached.', { cause });
  }

  // The gateway sends a GraphQL error body with its 4xx rejections too, so the body is read
  // whatever the status.
  let payload;
  try {
    payload = await response.json();
  } catch (cause) {
    throw new ApiError(ClientErrorCode.BAD_RESPONSE, 'The gateway sent a response that is not JSON.', {
      status: response.status,
      cause,
    });
  }

  const firstError = Array.isArray(payload?.errors) ? payload.errors[0] : undefined;
  if (firstError !== undefined) {
    throw toApiError(firstError, response.status);
  }
  if (!response.ok || payload?.data === null || typeof payload?.data !== 'object') {
    throw new ApiError(ClientErrorCode.BAD_RESPONSE, 'The gateway sent a response without data.', {
      status: response.status,
    });
  }
  return payload.data;
}

/**
 * Returns the APQ extensions entry for a SHA-256 hash.
 *
 * @param {string} sha256Hash
 */
function persistedQuery(sha256Hash) {
  return { persistedQuery: { version: 1, sha256Hash } };
}

/** @type {Promise<Record<string, {sha256Hash: string}>> | undefined} */
let manifestOperations;

/**
 * Returns the hash of an operation from operations/manifest.json, which `make manifest` writes,
 * or undefined when the manifest lists no such operation or cannot be loaded. A failed load is
 * not cached, so the next call tries again.
 *
 * @param {string} name
 * @returns {Promise<string | undefined>}
 */
async function operationHash(name) {
  if (manifestOperations === undefined) {
    manifestOperations = fetch(`${OPERATIONS_FOLDER}manifest.json`, { credentials: 'same-origin' }).then(
      async (response) => {
        if (!response.ok) {
          throw new Error(`manifest.json: HTTP ${response.status}`);
        }
        const manifest = await response.json();
        return typeof manifest?.operations === 'object' && manifest.operations !== null ? manifest.operations : {};
      },
    );
    manifestOperations.catch(() => {
      manifestOperations = undefined;
    });
  }
  try {
    const operations = await manifestOperations;
    const hash = Object.hasOwn(operations, name) ? operations[name]?.sha256Hash : undefined;
    return typeof hash === 'string' ? hash : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Returns the text of operations/<name>.graphql, fetching it once per page load. A failed fetch
 * is not cached, so the next call tries again.
 *
 * @param {string} name
 * @returns {Promise<string>}
 */
function loadOperation(name) {
  if (!OPERATION_NAME.test(name)) {
    return Promise.reject(new ApiError(ClientErrorCode.OPERATION_UNAVAILABLE, `Invalid operation name ${JSON.stringify(name)}.`));
  }

  let text = operationTexts.get(name);
  if (text === undefined) {
    text = fetchOperation(name);
    text.catch(() => operationTexts.delete(name));
    operationTexts.set(name, text);
  }
  return text;
}

/**
 * @param {string} name
 * @returns {Promise<string>}
 */
async function fetchOperation(name) {
  const url = `${OPERATIONS_FOLDER}${name}.graphql`;

  let response;
  try {
    response = await fetch(url, { credentials: 'same-origin' });
  } catch (cause) {
    throw new ApiError(ClientErrorCode.NETWORK_ERROR, `Loading ${url} failed.`, { cause });
  }
  if (!response.ok) {
    throw new ApiError(ClientErrorCode.OPERATION_UNAVAILABLE, `Loading ${url} failed with HTTP ${response.status}.`, {
      status: response.status,
    });
  }
  return response.text();
}

/**
 * Converts one entry of a GraphQL response's errors list. An error without extensions.code gets
 * INTERNAL_SERVER_ERROR, the gateway's code for anything unclassified.
 *
 * @param {unknown} error
 * @param {number} status
 * @returns {ApiError}
 */
function toApiError(error, status) {
  const entry = /** @type {{message?: unknown, extensions?: Record<string, unknown>}} */ (
    typeof error === 'object' && error !== null ? error : {}
  );
  const extensions = typeof entry.extensions === 'object' && entry.extensions !== null ? entry.extensions : {};

  const code = typeof extensions.code === 'string' ? extensions.code : 'INTERNAL_SERVER_ERROR';
  const message = typeof entry.message === 'string' ? entry.message : 'The gateway reported an error.';
  return new ApiError(code, message, {
    status,
    requestId: typeof extensions.requestId === 'string' ? extensions.requestId : undefined,
    retryAfter: typeof extensions.retryAfter === 'number' ? extensions.retryAfter : undefined,
    field: typeof extensions.field === 'string' ? extensions.field : undefined,
    current: extensions.current,
  });
}
