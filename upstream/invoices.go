package upstream

import "context"

// invoiceAPI is the PHP file of invoices.
const invoiceAPI = "invoice_api.php"

// Invoice is the invoice of one order.
type Invoice struct {
	ID        ID        `json:"id"`
	Number    String    `json:"number"`
	OrderID   ID        `json:"order_id"`
	Issued    LocalTime `json:"issued"`
	Paid      LocalTime `json:"paid"`
	AmountDue Decimal   `json:"amount_due"`
	Currency  String    `json:"currency"`
}

// InvoicesByOrders returns the invoices of the customer's orders among orderIDs, keyed by
// order id. Orders without an invoice, missing orders and other customers' orders have no entry.
// An invoice filed under one order whose order_id is another makes the whole call an ErrFault
// error.
func (c *Client) InvoicesByOrders(ctx context.Context, customerID string, orderIDs []string) (map[string]Invoice, error) {
	var p Params
	p.Set("customer_id", customerID)
	p.SetList("order_ids", orderIDs)

	var rows Map[Invoice]
	check := func() error {
		return checkRowIDs(invoiceAPI, "by_orders", "order_id", orderIDs, rows, func(inv *Invoice) ID { return inv.OrderID })
	}
	if err := c.call(ctx, invoiceAPI, "by_orders", &p, &rows, check); err != nil {
		return nil, err
	}
	return rows, nil
}
