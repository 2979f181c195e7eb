package upstream

import "context"

// productAPI is the PHP file of the catalog.
const productAPI = "product_api.php"

// Product is one catalog entry. Products belong to no customer.
type Product struct {
	ID       ID      `json:"id"`
	SKU      String  `json:"sku"`
	Name     String  `json:"name"`
	Price    Decimal `json:"price"`
	Currency String  `json:"currency"`
	Active   Bool    `json:"active"`
}

// Products returns the products among ids that exist, keyed by id.
func (c *Client) Products(ctx context.Context, ids []string) (map[string]Product, error) {
	var p Params
	p.SetList("ids", ids)

	var rows Map[Product]
	if err := c.call(ctx, productAPI, "get", &p, &rows); err != nil {
		return nil, err
	}
	return rows, nil
}
