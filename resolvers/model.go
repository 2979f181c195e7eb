package resolvers

import (
	"fmt"
	"math"
	"strings"
	"time"

	"customer-gateway/graph/model"
	"customer-gateway/order"
	"customer-gateway/upstream"
)

// The mapping from the back office's records to the schema's models. A record the back office
// sent in a shape the schema cannot show is an upstream fault, never a silently wrong value.

func money(amount upstream.Decimal, currency upstream.String) (*model.Money, error) {
	if amount == "" || currency == "" {
		return nil, fault("amount or currency missing")
	}
	return &model.Money{Amount: string(amount), Currency: string(currency)}, nil
}

func toCustomer(p *upstream.Profile) *model.Customer {
	return &model.Customer{ID: string(p.ID), Name: string(p.Name), Email: string(p.Email)}
}

// graphQLInt returns n as a value of GraphQL's Int, which the specification limits to 32 bits,
// or a fault when n is below min or above math.MaxInt32. The fault names the value as field of
// the record with id (which may be empty). The name is built only for a fault, so that mapping
// a valid record allocates nothing for it.
func graphQLInt(n upstream.Int, min int64, record string, id upstream.ID, field string) (int, error) {
	if int64(n) < min || int64(n) > math.MaxInt32 {
		return 0, fault(fmt.Sprintf("%s %d is outside %d to %d", valueName(record, id, field), n, min, math.MaxInt32))
	}
	return int(n), nil
}

// instant returns t as a time in loc, and set=false when t is "never". The Time scalar writes
// RFC 3339, which has four-digit years, so a time outside the years 0000 to 9999 in loc is a
// fault. So is January 1 of year 1 at 00:00 UTC, Go's zero time, which gqlgen's Time
// marshaler sends as null. The fault names the value like graphQLInt does.
func instant(t upstream.LocalTime, loc *time.Location, record string, id upstream.ID, field string) (at time.Time, set bool, err error) {
	at, set = t.In(loc)
	if !set {
		return time.Time{}, false, nil
	}
	if y := at.Year(); y < 0 || y > 9999 || at.IsZero() {
		return time.Time{}, false, fault(fmt.Sprintf("%s %s is outside the years 0000 to 9999", valueName(record, id, field), t))
	}
	return at, true, nil
}

// valueName returns the name of a value in a fault, such as "invoice 91 payment date".
func valueName(record string, id upstream.ID, field string) string {
	if id == "" {
		return record + " " + field
	}
	return record + " " + string(id) + " " + field
}

func toOrder(o *upstream.Order, loc *time.Location) (*model.Order, error) {
	placed, ok, err := instant(o.Placed, loc, "order", o.ID, "placement date")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fault(fmt.Sprintf("order %s has no placement date", o.ID))
	}
	status := model.OrderStatus(strings.ToUpper(string(o.Status)))
	if !status.IsValid() {
		return nil, fault(fmt.Sprintf("order %s has unknown status %q", o.ID, o.Status))
	}
	total, err := money(o.Total, o.Currency)
	if err != nil {
		return nil, err
	}
	return &model.Order{ID: string(o.ID), Number: string(o.Number), PlacedAt: placed, Status: status, Total: total}, nil
}

func toLine(it upstream.OrderItem, currency upstream.String, product func() (*model.Product, error)) (*order.Line, error) {
	quantity, err := graphQLInt(it.Quantity, math.MinInt32, "order line", it.ID, "quantity")
	if err != nil {
		return nil, err
	}
	price, err := money(it.UnitPrice, currency)
	if err != nil {
		return nil, err
	}
	return order.NewLine(quantity, price, product), nil
}

func toProduct(p *upstream.Product) (*model.Product, error) {
	price, err := money(p.Price, p.Currency)
	if err != nil {
		return nil, err
	}
	return &model.Product{ID: string(p.ID), Name: string(p.Name), Sku: string(p.SKU), Price: price}, nil
}

func toInvoice(inv *upstream.Invoice, loc *time.Location) (*model.Invoice, error) {
	issued, ok, err := instant(inv.Issued, loc, "invoice", inv.ID, "issue date")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fault(fmt.Sprintf("invoice %s has no issue date", inv.ID))
	}
	due, err := money(inv.AmountDue, inv.Currency)
	if err != nil {
		return nil, err
	}
	out := &model.Invoice{ID: string(inv.ID), Number: string(inv.Number), IssuedAt: issued, AmountDue: due}
	paid, ok, err := instant(inv.Paid, loc, "invoice", inv.ID, "payment date")
	if err != nil {
		return nil, err
	}
	if ok {
		out.PaidAt = &paid
	}
	return out, nil
}

// fault reports a record the schema cannot show. The text goes to the log only.
func fault(msg string) error {
	return &upstream.Error{Category: upstream.ErrFault, Message: msg}
}

// toProfile maps p, with a fault when its version is not a positive GraphQL Int: versions
// start at 1.
func toProfile(p *upstream.Profile) (*model.Profile, error) {
	version, err := graphQLInt(p.Version, 1, "profile", p.ID, "version")
	if err != nil {
		return nil, err
	}
	return &model.Profile{
		Version: version,
		Name:    string(p.Name),
		Phone:   string(p.Phone),
		Address: &model.PostalAddress{
			Street:     string(p.Street),
			PostalCode: string(p.PostalCode),
			City:       string(p.City),
			Country:    string(p.Country),
		},
	}, nil
}

func toTicket(t *upstream.Ticket, loc *time.Location) (*model.Ticket, error) {
	opened, ok, err := instant(t.Created, loc, "ticket", t.ID, "creation date")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fault(fmt.Sprintf("ticket %s has no creation date", t.ID))
	}
	status := model.TicketStatus(strings.ToUpper(string(t.Status)))
	if !status.IsValid() {
		return nil, fault(fmt.Sprintf("ticket %s has unknown status %q", t.ID, t.Status))
	}
	out := &model.Ticket{ID: string(t.ID), Subject: string(t.Subject), Status: status, OpenedAt: opened,
		Messages: make([]*model.TicketMessage, 0, len(t.Messages))}
	for _, m := range t.Messages {
		sent, ok, err := instant(m.Created, loc, "ticket message", m.ID, "date")
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fault(fmt.Sprintf("ticket message %s has no date", m.ID))
		}
		author := model.MessageAuthor(strings.ToUpper(string(m.Author)))
		if !author.IsValid() {
			return nil, fault(fmt.Sprintf("ticket message %s has unknown author %q", m.ID, m.Author))
		}
		out.Messages = append(out.Messages, &model.TicketMessage{ID: string(m.ID), Author: author, Body: string(m.Body), SentAt: sent})
	}
	return out, nil
}

func toTickets(rows []upstream.Ticket, loc *time.Location) ([]*model.Ticket, error) {
	out := make([]*model.Ticket, 0, len(rows))
	for i := range rows {
		t, err := toTicket(&rows[i], loc)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}
