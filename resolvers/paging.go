package resolvers

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"

	"customer-gateway/graph/model"
	"customer-gateway/upstream"
)

// maxPageSize is the largest first argument of a connection.
const maxPageSize = 100

// maxOffset is the largest offset a cursor may carry. The back office takes offsets of up to
// nine digits; a larger one is not a cursor the gateway handed out.
const maxOffset = 99_999_999

// cursorPrefix marks the gateway's cursors, so that a random string is not taken for one.
const cursorPrefix = "offset:"

// NOTE: cursors are offsets because the back office pages by offset. An order placed while a
// customer pages shifts the list by one, so the next page repeats one order.

func encodeCursor(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + strconv.Itoa(offset)))
}

func decodeCursor(cursor string) (int, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return 0, false
	}
	digits, ok := strings.CutPrefix(string(raw), cursorPrefix)
	if !ok || !isDigits(digits) || len(digits) > 9 {
		return 0, false
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n > maxOffset {
		return 0, false
	}
	return n, true
}

// orderConnection returns one page of a customer's orders. The orders it lists are primed into
// the request's order loader, so that fields asking for the same orders cost no further call.
func (r *Resolver) orderConnection(ctx context.Context, customerID string, first *int, after *string) (*model.OrderConnection, error) {
	limit := 20
	if first != nil {
		limit = *first
	}
	if limit < 1 || limit > maxPageSize {
		return nil, badInput("first must be between 1 and %d.", maxPageSize)
	}
	offset := 0
	if after != nil {
		n, ok := decodeCursor(*after)
		if !ok {
			return nil, badInput("after is not a valid cursor.")
		}
		offset = n + 1
	}

	page, err := r.Upstream.ListOrders(ctx, customerID, offset, limit)
	if err != nil {
		return nil, err
	}

	total, err := graphQLInt(page.Total, 0, "order list", "", "total count")
	if err != nil {
		return nil, err
	}
	conn := &model.OrderConnection{TotalCount: total, PageInfo: &model.PageInfo{}}
	for i := range page.Orders {
		o := &page.Orders[i]
		if string(o.CustomerID) != customerID {
			return nil, fault("order list holds another customer's order")
		}
		node, err := toOrder(o, r.Upstream.Location())
		if err != nil {
			return nil, err
		}
		conn.Edges = append(conn.Edges, &model.OrderEdge{Cursor: encodeCursor(offset + i), Node: node})
	}
	upstream.LoadersFrom(ctx).PrimePage(ctx, customerID, page.Orders)
	if n := len(conn.Edges); n > 0 {
		conn.PageInfo.EndCursor = &conn.Edges[n-1].Cursor
		conn.PageInfo.HasNextPage = offset+n < total
	}
	if conn.Edges == nil {
		conn.Edges = []*model.OrderEdge{}
	}
	return conn, nil
}
