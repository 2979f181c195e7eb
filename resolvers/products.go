package resolvers

import (
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"

	"customer-gateway/graph/model"
	"customer-gateway/order"
	"customer-gateway/upstream"
)

// lines returns an order's lines, rows, whose prices are in currency.
func (r *Resolver) lines(ctx context.Context, rows []upstream.OrderItem, currency upstream.String) ([]*order.Line, error) {
	products := newLineProducts(ctx, rows)
	lines := make([]*order.Line, len(rows))
	for i, row := range rows {
		line, err := toLine(row, currency, func() (*model.Product, error) { return products.of(i) })
		if err != nil {
			return nil, err
		}
		lines[i] = line
	}

	// A busy gateway has no CPU to spare while the products call is in flight, and a line
	// that waits for its product costs more CPU than a product that is already there.
	if r.busy() {
		products.loadIfSelected(ctx)
	}
	return lines, nil
}

// lineProducts are the products of one order's lines. They are looked up once, through the
// products loader, which fetches the products of all the page's order lines in one call.
//
// gqlgen resolves each line in a goroutine of its own and reads the product when it reaches
// that field, if the operation selects it. The first line to get there starts the lookup, so
// the other lines are resolved up to their product while the call is in flight.
type lineProducts struct {
	at   []int // for each line, the index of its product in the lookup, or -1 for none
	load func() ([]*upstream.Product, []error)
}

// newLineProducts returns the products of the order lines rows, before the lookup.
func newLineProducts(ctx context.Context, rows []upstream.OrderItem) *lineProducts {
	ids := make([]string, 0, len(rows))
	at := make([]int, len(rows))
	for i, row := range rows {
		at[i] = -1
		if row.ProductID != "" {
			at[i] = len(ids)
			ids = append(ids, string(row.ProductID))
		}
	}
	return &lineProducts{at: at, load: sync.OnceValues(func() ([]*upstream.Product, []error) {
		return upstream.LoadersFrom(ctx).Products(ctx, ids)
	})}
}

// of returns the product of line i, or nil when the line has none or the product is no longer
// in the catalog. It waits for the lookup.
func (p *lineProducts) of(i int) (*model.Product, error) {
	k := p.at[i]
	if k < 0 {
		return nil, nil
	}
	products, errs := p.load()
	if errs != nil && errs[k] != nil {
		return nil, errs[k]
	}
	if products[k] == nil {
		return nil, nil
	}
	return toProduct(products[k])
}

// loadIfSelected looks the products up now, when the lines' field (the field being resolved)
// selects them.
func (p *lineProducts) loadIfSelected(ctx context.Context) {
	for _, f := range graphql.CollectFieldsCtx(ctx, []string{"OrderItem"}) {
		if f.Name == "product" {
			p.load()
			return
		}
	}
}
