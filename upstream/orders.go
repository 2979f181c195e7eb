package upstream

import (
	"context"
	"strconv"
)

// orderAPI is the PHP file of orders and their lines.
const orderAPI = "order_api.php"

// Order is one order as the back office stores it.
type Order struct {
	ID         ID        `json:"id"`
	Number     String    `json:"number"`
	CustomerID ID        `json:"customer_id"`
	Placed     LocalTime `json:"placed"`
	Status     String    `json:"status"`
	Total      Decimal   `json:"total"`
	Currency   String    `json:"currency"`
	Shipped    LocalTime `json:"shipped"`
}

// OrderItem is one line of an order.
type OrderItem struct {
	ID        ID      `json:"id"`
	OrderID   ID      `json:"order_id"`
	ProductID ID      `json:"product_id"`
	Quantity  Int     `json:"qty"`
	UnitPrice Decimal `json:"unit_price"`
}

// OrderPage is one page of a customer's orders, newest first.
type OrderPage struct {
	Total  Int         `json:"total"`
	Offset Int         `json:"offset"`
	Orders List[Order] `json:"orders"`
}

// ListOrders returns up to limit of a customer's orders, starting at offset. A page of more
// than limit orders is an ErrFault error and is not cut to limit. A back office that ignored
// the limit may have ignored the offset as well, so its first orders need not be the page
// that was requested. A page that lists one order id twice is an ErrFault error as well.
func (c *Client) ListOrders(ctx context.Context, customerID string, offset, limit int) (*OrderPage, error) {
	var p Params
	p.Set("customer_id", customerID)
	p.Set("offset", strconv.Itoa(offset))
	p.Set("limit", strconv.Itoa(limit))

	var page OrderPage
	check := func() error {
		if len(page.Orders) > limit {
			return &Error{Category: ErrFault, API: orderAPI, Op: "list",
				Message: "page of " + strconv.Itoa(len(page.Orders)) + " orders for a limit of " + strconv.Itoa(limit)}
		}
		return checkUniqueIDs(orderAPI, "list", "id", page.Orders, func(o *Order) ID { return o.ID })
	}
	if err := c.call(ctx, orderAPI, "list", &p, &page, check); err != nil {
		return nil, err
	}
	return &page, nil
}

// Orders returns the orders among ids that exist and belong to the customer, keyed by id. A
// row filed under one id whose own id is another makes the whole call an ErrFault error.
func (c *Client) Orders(ctx context.Context, customerID string, ids []string) (map[string]Order, error) {
	var p Params
	p.Set("customer_id", customerID)
	p.SetList("ids", ids)

	var rows Map[Order]
	check := func() error { return checkRowIDs(orderAPI, "get", "id", ids, rows, func(o *Order) ID { return o.ID }) }
	if err := c.call(ctx, orderAPI, "get", &p, &rows, check); err != nil {
		return nil, err
	}
	return rows, nil
}

// OrderItems returns the lines of the customer's orders among orderIDs, keyed by order id.
// An order that is missing or belongs to someone else has no entry. A line filed under one
// order whose order_id is another, requested or not, or an order with two lines of one id,
// makes the whole call an ErrFault error.
func (c *Client) OrderItems(ctx context.Context, customerID string, orderIDs []string) (map[string]List[OrderItem], error) {
	var p Params
	p.Set("customer_id", customerID)
	p.SetList("order_ids", orderIDs)

	var rows Map[List[OrderItem]]
	if err := c.call(ctx, orderAPI, "items", &p, &rows, func() error { return checkLines(orderIDs, rows) }); err != nil {
		return nil, err
	}
	return rows, nil
}

// checkLines returns a fault when a line filed under a requested order names another order, or
// when one order has two lines of one id. A line filed under a key that was not requested and
// naming a requested order is a fault as well.
func checkLines(orderIDs []string, rows map[string]List[OrderItem]) error {
	requested := make(map[ID]bool, len(orderIDs))
	for _, id := range orderIDs {
		requested[ID(id)] = true
		for _, it := range rows[id] {
			if it.OrderID != ID(id) {
				return mismatch(orderAPI, "items", id, "order_id", it.OrderID)
			}
		}
		if err := checkUniqueIDs(orderAPI, "items", "id", rows[id], func(it *OrderItem) ID { return it.ID }); err != nil {
			return err
		}
	}
	for key, items := range rows {
		if requested[ID(key)] {
			continue
		}
		for _, it := range items {
			if requested[it.OrderID] {
				return misfiled(orderAPI, "items", "order_id", it.OrderID)
			}
		}
	}
	return nil
}
