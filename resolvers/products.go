package resolvers

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"customer-gateway/graph/model"
	"customer-gateway/upstream"
)

// addProducts sets the product of each order line when the operation selects it, through the
// products loader. A product field with a resolver made gqlgen start a goroutine per line, and
// those cost more CPU than the products. A product that failed is null with its own error.
func addProducts(ctx context.Context, items []*model.OrderItem) {
	fields := selected(ctx, "OrderItem", "product")
	if len(items) == 0 || len(fields) == 0 {
		return
	}

	ids := make([]string, 0, len(items))
	for _, it := range items {
		if it.ProductID != "" {
			ids = append(ids, it.ProductID)
		}
	}
	products, errs := upstream.LoadersFrom(ctx).Products(ctx, ids)

	next := -1
	for i, it := range items {
		if it.ProductID == "" {
			continue
		}
		next++
		var err error
		if errs != nil && errs[next] != nil {
			err = errs[next]
		} else if p := products[next]; p != nil {
			it.Product, err = toProduct(p)
		}
		if err != nil {
			for _, f := range fields {
				graphql.AddError(ctx, lineError(ctx, i, f, err))
			}
		}
	}
}

// lineError returns err as the error of the field f of the order line at index i, with the
// path and location gqlgen gives the error of a resolver of that field.
func lineError(ctx context.Context, i int, f graphql.CollectedField, err error) *gqlerror.Error {
	path := append(graphql.GetPath(ctx), ast.PathIndex(i), ast.PathName(f.Alias))
	gqlErr := gqlerror.WrapPath(path, err)
	if f.Position != nil {
		gqlErr.Locations = []gqlerror.Location{{Line: f.Position.Line, Column: f.Position.Column}}
	}
	return gqlErr
}

// selected returns the fields named name that the field being resolved, of type typeName,
// selects: one per alias, through fragments too, after @skip and @include.
func selected(ctx context.Context, typeName, name string) []graphql.CollectedField {
	var out []graphql.CollectedField
	for _, f := range graphql.CollectFieldsCtx(ctx, []string{typeName}) {
		if f.Name == name {
			out = append(out, f)
		}
	}
	return out
}
