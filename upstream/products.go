package upstream

import (
	"context"
	"encoding/json"

	"customer-gateway/cache"
)

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

// Products returns the products among ids that exist, keyed by id. A row filed under one id
// whose own id is another makes the whole call an ErrFault error.
func (c *Client) Products(ctx context.Context, ids []string) (map[string]Product, error) {
	var p Params
	p.SetList("ids", ids)

	var rows Map[Product]
	check := func() error {
		return checkRowIDs(productAPI, "get", "id", ids, rows, func(p *Product) ID { return p.ID })
	}
	if err := c.call(ctx, productAPI, "get", &p, &rows, check); err != nil {
		return nil, err
	}
	return rows, nil
}

// cachedProducts returns the products among ids that exist, keyed by id, reading through
// catalog: ids it holds are served from it, and the rest are requested from the back office and
// stored. A nil catalog reads straight from the back office. A catalog that fails only costs
// back-office calls, so its errors are not returned; the catalog logs them.
func cachedProducts(ctx context.Context, c *Client, catalog *cache.Cache, ids []string) (map[string]Product, error) {
	if catalog == nil {
		return c.Products(ctx, ids)
	}

	rows := make(map[string]Product, len(ids))
	cached, _ := catalog.GetMany(ctx, ids)
	var missing []string
	for _, id := range ids {
		var p Product
		if b, ok := cached[id]; ok && json.Unmarshal(b, &p) == nil {
			rows[id] = p
			continue
		}
		missing = append(missing, id)
	}
	if len(missing) == 0 {
		return rows, nil
	}

	fetched, err := c.Products(ctx, missing)
	if err != nil {
		return nil, err
	}
	// A product that does not exist is not cached, so one created meanwhile shows at once.
	store := make(map[string][]byte, len(fetched))
	for id, p := range fetched {
		rows[id] = p
		if b, err := json.Marshal(p); err == nil {
			store[id] = b
		}
	}
	catalog.SetMany(ctx, store)
	return rows, nil
}
