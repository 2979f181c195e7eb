// The BFF a team would otherwise build: Apollo Server with one DataLoader per record type,
// created per request, serving the gateway's schema from the same back office. It is the peer
// the gateway is measured against, written the way such a service usually is, with the same
// duties per request: a server-side session looked up from a cookie, customer-scoped loaders,
// and the mapping of PHP's strings to the schema's types.
//
//   UPSTREAM_URL=http://127.0.0.1:8091/apis/ UPSTREAM_API_KEY=... PORT=8092 node server.js
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import DataLoader from 'dataloader';

const upstreamURL = process.env.UPSTREAM_URL;
const apiKey = process.env.UPSTREAM_API_KEY;
const port = Number(process.env.PORT || 8092);
if (!upstreamURL || !apiKey) {
  console.error('UPSTREAM_URL and UPSTREAM_API_KEY are required');
  process.exit(1);
}

const schemaDir = new URL('../../schema/', import.meta.url);
const typeDefs = readdirSync(schemaDir)
  .filter((f) => f.endsWith('.graphqls'))
  .map((f) => readFileSync(new URL(f, schemaDir), 'utf8'))
  .join('\n');

// call posts one operation to one PHP file and returns the payload of its envelope.
async function call(file, req, params) {
  const body = new URLSearchParams({ req, key: apiKey });
  for (const [name, value] of Object.entries(params)) {
    if (Array.isArray(value)) value.forEach((v) => body.append(`${name}[]`, v));
    else body.append(name, String(value));
  }
  const res = await fetch(upstreamURL + file, { method: 'POST', body });
  if (!res.ok) throw new Error(`${file} ${req}: status ${res.status}`);
  const env = await res.json();
  if (env.code) throw new Error(`${file} ${req}: ${env.code}`);
  const payload = env.data ?? env.result;
  // PHP writes an empty object as [].
  return Array.isArray(payload) && payload.length === 0 ? {} : payload;
}

// Dates are Y-m-d H:i:s in UTC on the benchmark upstream; the zero date means never.
function toTime(s) {
  if (!s || s.startsWith('0000-00-00')) return null;
  return s.replace(' ', 'T') + '+00:00';
}

const money = (amount, currency) => ({ amount, currency });

function toOrder(o) {
  return {
    id: o.id, number: o.number, placedAt: toTime(o.placed), status: o.status.toUpperCase(),
    total: money(o.total, o.currency), currency: o.currency,
  };
}

function loaders(customerId) {
  const byIds = (file, req, param, pick) => new DataLoader(async (ids) => {
    const rows = await call(file, req, { [param]: ids, customer_id: customerId });
    return ids.map((id) => pick(rows[id]));
  });
  return {
    order: byIds('order_api.php', 'get', 'ids', (o) => (o ? toOrder(o) : new Error('not found'))),
    items: byIds('order_api.php', 'items', 'order_ids', (items) => Object.values(items ?? {})),
    invoice: byIds('invoice_api.php', 'by_orders', 'order_ids', (inv) => inv ?? null),
    product: new DataLoader(async (ids) => {
      const rows = await call('product_api.php', 'get', { ids });
      return ids.map((id) => rows[id] ?? null);
    }),
  };
}

function requireCustomer(ctx) {
  if (!ctx.customerId) throw new Error('UNAUTHENTICATED');
  return ctx.customerId;
}

async function orderPage(ctx, first = 20, after) {
  const customerId = requireCustomer(ctx);
  const offset = after ? Number(Buffer.from(after, 'base64url').toString().slice(7)) + 1 : 0;
  const page = await call('order_api.php', 'list', { customer_id: customerId, offset, limit: first });
  const edges = page.orders.map((o, i) => {
    const order = toOrder(o);
    ctx.loaders.order.prime(o.id, order);
    return { cursor: Buffer.from(`offset:${offset + i}`).toString('base64url'), node: order };
  });
  return {
    edges,
    totalCount: Number(page.total),
    pageInfo: { hasNextPage: offset + edges.length < Number(page.total), endCursor: edges.at(-1)?.cursor ?? null },
  };
}

const resolvers = {
  Query: {
    me: async (_, __, ctx) => {
      if (!ctx.customerId) return null;
      return call('account_api.php', 'profile', { customer_id: ctx.customerId });
    },
    orders: (_, { first, after }, ctx) => orderPage(ctx, first, after),
    order: (_, { id }, ctx) => {
      requireCustomer(ctx);
      return ctx.loaders.order.load(id);
    },
    product: (_, { id }, ctx) => ctx.loaders.product.load(id),
  },
  Customer: {
    orders: (_, { first, after }, ctx) => orderPage(ctx, first, after),
  },
  Order: {
    items: async (o, _, ctx) => (await ctx.loaders.items.load(o.id)).map((it) => ({
      quantity: Number(it.qty), unitPrice: money(it.unit_price, o.currency), productId: it.product_id,
    })),
    invoice: async (o, _, ctx) => {
      const inv = await ctx.loaders.invoice.load(o.id);
      if (!inv) return null;
      return {
        id: inv.id, number: inv.number, issuedAt: toTime(inv.issued), paidAt: toTime(inv.paid),
        amountDue: money(inv.amount_due, inv.currency),
      };
    },
  },
  OrderItem: {
    product: async (it, _, ctx) => {
      const p = await ctx.loaders.product.load(it.productId);
      return p && { id: p.id, name: p.name, sku: p.sku, price: money(p.price, p.currency) };
    },
  },
  Mutation: {
    login: async (_, { email, password }, ctx) => {
      const account = await call('account_api.php', 'login', { email, password });
      const sid = randomBytes(24).toString('base64url');
      sessions.set(sid, account.customer_id);
      ctx.res.setHeader('Set-Cookie', `sid=${sid}; HttpOnly; SameSite=Strict; Path=/`);
      return { customer: { id: account.customer_id, name: account.name, email: account.email } };
    },
    logout: (_, __, ctx) => {
      sessions.delete(ctx.sid);
      return true;
    },
  },
};

// Sessions live in memory, as express-session's default store keeps them.
const sessions = new Map();

const server = new ApolloServer({ typeDefs, resolvers });
const { url } = await startStandaloneServer(server, {
  listen: { port, host: '127.0.0.1' },
  context: async ({ req, res }) => {
    const sid = /(?:^|;\s*)sid=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    const customerId = sid ? sessions.get(sid) : undefined;
    return { sid, customerId, res, loaders: loaders(customerId) };
  },
});
console.log(`apollo peer on ${url}`);
