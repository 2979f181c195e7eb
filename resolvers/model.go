package resolvers

import (
	"fmt"
	"strings"
	"time"

	"customer-gateway/graph/model"
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

func toOrder(o *upstream.Order, loc *time.Location) (*model.Order, error) {
	placed, ok := o.Placed.In(loc)
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

func toItem(it upstream.OrderItem, currency upstream.String) (*model.OrderItem, error) {
	price, err := money(it.UnitPrice, currency)
	if err != nil {
		return nil, err
	}
	return &model.OrderItem{Quantity: int(it.Quantity), UnitPrice: price, ProductID: string(it.ProductID)}, nil
}

func toProduct(p *upstream.Product) (*model.Product, error) {
	price, err := money(p.Price, p.Currency)
	if err != nil {
		return nil, err
	}
	return &model.Product{ID: string(p.ID), Name: string(p.Name), Sku: string(p.SKU), Price: price}, nil
}

func toInvoice(inv *upstream.Invoice, loc *time.Location) (*model.Invoice, error) {
	issued, ok := inv.Issued.In(loc)
	if !ok {
		return nil, fault(fmt.Sprintf("invoice %s has no issue date", inv.ID))
	}
	due, err := money(inv.AmountDue, inv.Currency)
	if err != nil {
		return nil, err
	}
	out := &model.Invoice{ID: string(inv.ID), Number: string(inv.Number), IssuedAt: issued, AmountDue: due}
	if paid, ok := inv.Paid.In(loc); ok {
		out.PaidAt = &paid
	}
	return out, nil
}

// fault reports a record the schema cannot show. The text goes to the log only.
func fault(msg string) error {
	return &upstream.Error{Category: upstream.ErrFault, Message: msg}
}

func toProfile(p *upstream.Profile) *model.Profile {
	return &model.Profile{
		Version: int(p.Version),
		Name:    string(p.Name),
		Phone:   string(p.Phone),
		Address: &model.PostalAddress{
			Street:     string(p.Street),
			PostalCode: string(p.PostalCode),
			City:       string(p.City),
			Country:    string(p.Country),
		},
	}
}

func toTicket(t *upstream.Ticket, loc *time.Location) (*model.Ticket, error) {
	opened, ok := t.Created.In(loc)
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
		sent, ok := m.Created.In(loc)
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
