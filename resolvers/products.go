package resolvers

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"customer-gateway/graph/model"
	"customer-gateway/upstream"
)

// addProducts sets the product of each order line when the operation selects it, through the
// products loader. A product field with a resolver made gqlgen start a goroutine per line, and
// those cost more CPU than the products. A failed call leaves the products null, with one error.
func addProducts(ctx context.Context, items []*model.OrderItem) {
	if len(items) == 0 || !selects(ctx, "OrderItem", "product") {
		return
	}

	ids := make([]string, 0, len(items))
	for _, it := range items {
		if it.ProductID != "" {
			ids = append(ids, it.ProductID)
		}
	}
	products, err := upstream.LoadersFrom(ctx).Products(ctx, ids)
	if err != nil {
		graphql.AddError(ctx, err)
		return
	}

	next := 0
	for _, it := range items {
		if it.ProductID == "" {
			continue
		}
		p := products[next]
		next++
		if p == nil {
			continue
		}
		if it.Product, err = toProduct(p); err != nil {
			graphql.AddError(ctx, err)
		}
	}
}

// selects reports whether the field being resolved, of type typeName, selects the field name
// under any alias or fragment, after @skip and @include.
func selects(ctx context.Context, typeName, name string) bool {
	for _, f := range graphql.CollectFieldsCtx(ctx, []string{typeName}) {
		if f.Name == name {
			return true
		}
	}
	return false
}
