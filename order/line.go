// Package order contains the model of an order line. It is written by hand rather than
// generated, so that a line's product can arrive while gqlgen resolves the rest of the line.
package order

import "customer-gateway/graph/model"

// Line is one line of an order, the model of the schema's OrderItem type.
type Line struct {
	// Quantity is how many units were ordered.
	Quantity int
	// UnitPrice is the price of one unit when the order was placed.
	UnitPrice *model.Money

	product func() (*model.Product, error)
}

// NewLine returns a line whose product is the result of product. gqlgen calls Product, and so
// product, only when the operation selects the line's product.
func NewLine(quantity int, unitPrice *model.Money, product func() (*model.Product, error)) *Line {
	return &Line{Quantity: quantity, UnitPrice: unitPrice, product: product}
}

// Product returns the product ordered, or nil when it is no longer in the catalog.
func (l *Line) Product() (*model.Product, error) {
	if l.product == nil {
		return nil, nil
	}
	return l.product()
}
