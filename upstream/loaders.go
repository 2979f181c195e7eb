package upstream

import (
	"context"
	"sync"
	"time"

	"github.com/graph-gophers/dataloader/v7"

	"customer-gateway/cache"
)

// Owned names a record that belongs to a customer. Loaders of customer data are keyed by it, so
// the scope travels with every key: a batch can only ever ask the back office for the records of
// the customer each key names, and a record cached for one customer is never served for another.
type Owned struct {
	CustomerID string
	ID         string
}

// LoaderConfig sets how loaders batch.
type LoaderConfig struct {
	// Wait is how long a loader collects keys before it sends a batch. The default is 500µs.
	// Only keys outside a group wait for it, such as the first loads of the order-detail page:
	// a group's keys (the orders of a page, the products of a batch of order lines) are sent
	// at once.
	Wait time.Duration
	// MaxBatch caps the keys of one upstream call. The default is 500, well below PHP's default
	// max_input_vars of 1000; a larger batch is split into several calls.
	MaxBatch int
	// TraceBatch, when set, is called as each batch starts, with the loader's name ("orders",
	// "items", "invoices" or "products") and the number of keys. It returns the context the
	// batch runs in and a function called when the batch ends.
	TraceBatch func(ctx context.Context, loader string, keys int) (context.Context, func())
	// Catalog, when set, caches catalog products across requests (and, with Redis, across
	// gateways). Customer data never goes into it.
	Catalog *cache.Cache
}

// Loaders batch the reads of one GraphQL request. Create a new set for every request: loaders
// cache what they load, so a set that outlived its request would serve stale data and grow
// without bound.
//
// A batch window alone splits a page's reads whenever the goroutines that resolve the page's
// orders start more than one window apart, which a busy machine makes common. So the loaders
// also remember which records arrived together (the orders of one page, the products of one
// batch of order lines) and fetch a record's whole group at once: one call per record type
// and level, however the resolvers are scheduled. A group's keys are all known when its first
// record is needed, so its call is sent at once instead of after the batch window.
type Loaders struct {
	orders   *loader[Owned, *Order]
	items    *loader[Owned, []OrderItem]
	invoices *loader[Owned, *Invoice]
	products *loader[string, *Product]
	profiles *loader[string, *Profile]

	mu            sync.Mutex
	orderGroups   map[Owned]*orderGroup
	productGroups map[string]*productGroup
}

// orderGroup is a page of orders. The first goroutine that needs a field of the page fetches
// it for the whole page. The others wait in Once.Do until the results are cached, and then
// find their own key in the loader's cache. Fetching the page from every goroutine instead
// made n goroutines load n keys each, so a page of 100 orders cost 10,000 loads per field.
type orderGroup struct {
	keys     []Owned
	items    sync.Once
	invoices sync.Once
}

// productGroup is the products of one batch of order lines, fetched once like orderGroup.
type productGroup struct {
	ids  []string
	once sync.Once
}

// NewLoaders returns a fresh set of loaders backed by c.
func NewLoaders(c *Client, cfg LoaderConfig) *Loaders {
	if cfg.Wait <= 0 {
		cfg.Wait = 500 * time.Microsecond
	}
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = 500
	}
	l := &Loaders{orderGroups: map[Owned]*orderGroup{}, productGroups: map[string]*productGroup{}}

	l.orders = newLoader("orders", cfg,
		batch(cfg.MaxBatch, splitOwned, c.Orders, func(rows map[string]Order, id string) (*Order, error) {
			o, ok := rows[id]
			if !ok {
				return nil, &Error{Category: ErrNotFound, API: orderAPI, Op: "get"}
			}
			return &o, nil
		}))

	fetchItems := func(ctx context.Context, customerID string, ids []string) (map[string]List[OrderItem], error) {
		rows, err := c.OrderItems(ctx, customerID, ids)
		if err == nil {
			l.groupProducts(rows)
		}
		return rows, err
	}
	l.items = newLoader("items", cfg,
		batch(cfg.MaxBatch, splitOwned, fetchItems, func(rows map[string]List[OrderItem], id string) ([]OrderItem, error) {
			return rows[id], nil
		}))

	l.invoices = newLoader("invoices", cfg,
		batch(cfg.MaxBatch, splitOwned, c.InvoicesByOrders, func(rows map[string]Invoice, id string) (*Invoice, error) {
			inv, ok := rows[id]
			if !ok {
				return nil, nil
			}
			return &inv, nil
		}))

	fetchProducts := func(ctx context.Context, _ string, ids []string) (map[string]Product, error) {
		return cachedProducts(ctx, c, cfg.Catalog, ids)
	}
	l.products = newLoader("products", cfg,
		batch(cfg.MaxBatch, func(id string) (string, string) { return "", id }, fetchProducts,
			func(rows map[string]Product, id string) (*Product, error) {
				p, ok := rows[id]
				if !ok {
					return nil, nil
				}
				return &p, nil
			}))

	// The back office reads one profile per call. The loader makes sure that a request asking
	// for the customer in several places reads it once.
	l.profiles = newLoader("profiles", cfg, func(ctx context.Context, ids []string) []*dataloader.Result[*Profile] {
		results := make([]*dataloader.Result[*Profile], len(ids))
		for i, id := range ids {
			p, err := c.Profile(ctx, id)
			results[i] = &dataloader.Result[*Profile]{Data: p, Error: err}
		}
		return results
	})
	return l
}

// PrimePage records a page of a customer's orders: each order is cached, and the page becomes
// the group whose lines and invoices are requested together.
func (l *Loaders) PrimePage(ctx context.Context, customerID string, orders []Order) {
	group := make([]Owned, len(orders))
	for i := range orders {
		group[i] = Owned{CustomerID: customerID, ID: string(orders[i].ID)}
		l.orders.Prime(ctx, group[i], &orders[i])
	}
	g := &orderGroup{keys: group}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range group {
		l.orderGroups[k] = g
	}
}

// groupProducts records the products of one batch of order lines as a group.
func (l *Loaders) groupProducts(rows map[string]List[OrderItem]) {
	var group []string
	seen := map[string]bool{}
	for _, items := range rows {
		for _, it := range items {
			if id := string(it.ProductID); id != "" && !seen[id] {
				seen[id] = true
				group = append(group, id)
			}
		}
	}
	g := &productGroup{ids: group}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, id := range group {
		l.productGroups[id] = g
	}
}

// Order returns one of a customer's orders; a missing order, or one of another customer, is
// an error in the ErrNotFound category.
func (l *Loaders) Order(ctx context.Context, key Owned) (*Order, error) {
	return l.orders.Load(ctx, key)()
}

// Items returns an order's lines; an order with no lines, or none of the customer's, has none.
func (l *Loaders) Items(ctx context.Context, key Owned) ([]OrderItem, error) {
	// Fetch the whole page from this goroutine, now. The results land in the loader's cache,
	// which then serves key's own load.
	if g := l.orderGroup(key); g != nil {
		g.items.Do(func() { l.items.fetchNow(ctx, g.keys) })
	}
	return l.items.Load(ctx, key)()
}

// Invoice returns an order's invoice, or nil when it has none.
func (l *Loaders) Invoice(ctx context.Context, key Owned) (*Invoice, error) {
	if g := l.orderGroup(key); g != nil {
		g.invoices.Do(func() { l.invoices.fetchNow(ctx, g.keys) })
	}
	return l.invoices.Load(ctx, key)()
}

// Product returns a catalog product, or nil when it no longer exists.
func (l *Loaders) Product(ctx context.Context, id string) (*Product, error) {
	l.mu.Lock()
	g := l.productGroups[id]
	l.mu.Unlock()
	if g != nil {
		g.once.Do(func() { l.products.fetchNow(ctx, g.ids) })
	}
	return l.products.Load(ctx, id)()
}

// Products returns the catalog products with the given ids, in their order: a product, or
// nil when it no longer exists, or the error of its id. The products of a batch of order lines
// come in one call.
func (l *Loaders) Products(ctx context.Context, ids []string) ([]*Product, []error) {
	products := make([]*Product, len(ids))
	var errs []error
	for i, id := range ids {
		p, err := l.Product(ctx, id)
		if err != nil {
			if errs == nil {
				errs = make([]error, len(ids))
			}
			errs[i] = err
			continue
		}
		products[i] = p
	}
	return products, errs
}

// Profile returns a customer's profile, read at most once per request.
func (l *Loaders) Profile(ctx context.Context, customerID string) (*Profile, error) {
	return l.profiles.Load(ctx, customerID)()
}

// orderGroup returns the page key's order came with, or nil.
func (l *Loaders) orderGroup(key Owned) *orderGroup {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.orderGroups[key]
}

// loader is a dataloader together with its cache and batch function, so that a group of keys
// known in advance can be fetched without waiting for the batch window.
type loader[K comparable, V any] struct {
	*dataloader.Loader[K, V]
	name  string
	cache *dataloader.InMemoryCache[K, V]
	fetch dataloader.BatchFunc[K, V]
	trace func(ctx context.Context, loader string, keys int) (context.Context, func())
}

// newLoader returns a loader named name (as TraceBatch reports it) that sends its batches
// through fetch.
func newLoader[K comparable, V any](name string, cfg LoaderConfig, fetch dataloader.BatchFunc[K, V]) *loader[K, V] {
	cache := dataloader.NewCache[K, V]()
	return &loader[K, V]{
		Loader: dataloader.NewBatchedLoader(fetch,
			dataloader.WithWait[K, V](cfg.Wait),
			dataloader.WithCache[K, V](cache),
			dataloader.WithTracer[K, V](batchTracer[K, V]{name, cfg.TraceBatch})),
		name:  name,
		cache: cache,
		fetch: fetch,
		trace: cfg.TraceBatch,
	}
}

// fetchNow sends the keys that are not in the cache yet as one batch, at once and from the
// calling goroutine. It caches each key's result, errors included, as the loader caches the
// results of a batch sent after the window, so later loads of these keys make no upstream
// call. A key already in the cache, loaded or still waiting for the window, keeps its entry.
func (l *loader[K, V]) fetchNow(ctx context.Context, keys []K) {
	var missing []K
	for _, k := range keys {
		if _, ok := l.cache.Get(ctx, k); !ok {
			missing = append(missing, k)
		}
	}
	if len(missing) == 0 {
		return
	}

	if l.trace != nil {
		var done func()
		ctx, done = l.trace(ctx, l.name, len(missing))
		defer done()
	}
	results := l.fetch(ctx, missing)

	// Prime keeps values only, so the results go into the cache directly, as thunks that are
	// already resolved. A Load that queued a key meanwhile keeps its own thunk.
	for i, k := range missing {
		r := results[i]
		if _, ok := l.cache.Get(ctx, k); !ok {
			l.cache.Set(ctx, k, func() (V, error) { return r.Data, r.Error })
		}
	}
}

// batch builds a batch function. It groups the keys by scope (the customer, or "" for catalog
// data), sends one call per scope and per chunk of at most max ids, and picks each key's result
// out of the rows keyed by id, so that the results line up with the keys whatever the back
// office left out.
func batch[K comparable, R, V any](
	max int,
	split func(K) (scope, id string),
	fetch func(ctx context.Context, scope string, ids []string) (map[string]R, error),
	pick func(rows map[string]R, id string) (V, error),
) dataloader.BatchFunc[K, V] {
	return func(ctx context.Context, keys []K) []*dataloader.Result[V] {
		results := make([]*dataloader.Result[V], len(keys))

		// Group the positions of the keys by scope, keeping first-seen order. A request
		// normally has one customer; a login in the middle of an operation can add a second.
		var scopes []string
		positions := map[string][]int{}
		ids := make([]string, len(keys))
		for i, k := range keys {
			var scope string
			scope, ids[i] = split(k)
			if _, seen := positions[scope]; !seen {
				scopes = append(scopes, scope)
			}
			positions[scope] = append(positions[scope], i)
		}

		for _, scope := range scopes {
			for _, chunk := range chunks(positions[scope], max) {
				chunkIDs := make([]string, len(chunk))
				for j, pos := range chunk {
					chunkIDs[j] = ids[pos]
				}
				rows, err := fetch(ctx, scope, chunkIDs)
				for _, pos := range chunk {
					if err != nil {
						results[pos] = &dataloader.Result[V]{Error: err}
						continue
					}
					v, perr := pick(rows, ids[pos])
					results[pos] = &dataloader.Result[V]{Data: v, Error: perr}
				}
			}
		}
		return results
	}
}

// batchTracer hands each batch of a loader to LoaderConfig.TraceBatch; single loads are not
// traced, because a batch is the unit that costs an upstream call.
type batchTracer[K comparable, V any] struct {
	loader string
	trace  func(ctx context.Context, loader string, keys int) (context.Context, func())
}

func (t batchTracer[K, V]) TraceLoad(ctx context.Context, _ K) (context.Context, dataloader.TraceLoadFinishFunc[V]) {
	return ctx, func(dataloader.Thunk[V]) {}
}

func (t batchTracer[K, V]) TraceLoadMany(ctx context.Context, _ []K) (context.Context, dataloader.TraceLoadManyFinishFunc[V]) {
	return ctx, func(dataloader.ThunkMany[V]) {}
}

func (t batchTracer[K, V]) TraceBatch(ctx context.Context, keys []K) (context.Context, dataloader.TraceBatchFinishFunc[V]) {
	if t.trace == nil {
		return ctx, func([]*dataloader.Result[V]) {}
	}
	ctx, done := t.trace(ctx, t.loader, len(keys))
	return ctx, func([]*dataloader.Result[V]) { done() }
}

func splitOwned(k Owned) (string, string) { return k.CustomerID, k.ID }

// chunks splits s into consecutive parts of at most size elements.
func chunks[T any](s []T, size int) [][]T {
	var out [][]T
	for len(s) > size {
		out = append(out, s[:size])
		s = s[size:]
	}
	if len(s) > 0 {
		out = append(out, s)
	}
	return out
}

type loadersKey struct{}

// WithLoaders returns a copy of ctx carrying l.
func WithLoaders(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, loadersKey{}, l)
}

// LoadersFrom returns the loaders of the request ctx belongs to. It panics when there are none,
// because that means the middleware that creates them is not installed: a wiring bug, not a
// condition a request can cause.
func LoadersFrom(ctx context.Context) *Loaders {
	l, ok := ctx.Value(loadersKey{}).(*Loaders)
	if !ok {
		panic("upstream: no loaders in the context; is the loader middleware installed?")
	}
	return l
}
