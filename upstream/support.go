package upstream

import "context"

// supportAPI is the PHP file of customers' support tickets.
const supportAPI = "support_api.php"

// Ticket is a support ticket with its whole thread of messages, oldest first.
type Ticket struct {
	ID         ID                  `json:"id"`
	CustomerID ID                  `json:"customer_id"`
	Subject    String              `json:"subject"`
	Status     String              `json:"status"`
	Created    LocalTime           `json:"created"`
	Messages   List[TicketMessage] `json:"messages"`
}

// TicketMessage is one message of a ticket, written by the customer or by the staff.
type TicketMessage struct {
	ID       ID        `json:"id"`
	TicketID ID        `json:"ticket_id"`
	Author   String    `json:"author"`
	Body     String    `json:"body"`
	Created  LocalTime `json:"created"`
}

// Tickets returns all of a customer's tickets, newest first, each with its messages. Another
// customer's ticket, a ticket id listed twice, or a message whose ticket_id names another
// ticket than the one it came with, makes the whole call an ErrFault error.
func (c *Client) Tickets(ctx context.Context, customerID string) ([]Ticket, error) {
	var p Params
	p.Set("customer_id", customerID)

	var rows List[Ticket]
	if err := c.call(ctx, supportAPI, "list", &p, &rows, func() error { return checkTickets(customerID, rows) }); err != nil {
		return nil, err
	}
	return rows, nil
}

// checkTickets returns a fault when a ticket of rows belongs to another customer than
// customerID, when two tickets have one id, or when a message names another ticket than its
// own.
func checkTickets(customerID string, rows []Ticket) error {
	if err := checkUniqueIDs(supportAPI, "list", "id", rows, func(t *Ticket) ID { return t.ID }); err != nil {
		return err
	}
	for _, t := range rows {
		if t.CustomerID != ID(customerID) {
			return &Error{Category: ErrFault, API: supportAPI, Op: "list", Message: "response contains another customer's ticket"}
		}
		if err := checkMessages("list", &t); err != nil {
			return err
		}
	}
	return nil
}

// OpenTicket opens a ticket for a customer with its first message and returns it. The call
// is never retried (see mutate); repeating it with the same idempotency key returns the
// ticket the first call opened instead of opening another.
func (c *Client) OpenTicket(ctx context.Context, customerID, idempotencyKey, subject, message string) (*Ticket, error) {
	var p Params
	p.Set("customer_id", customerID)
	p.Set("idempotency_key", idempotencyKey)
	p.Set("subject", subject)
	p.Set("message", message)
	return c.ticketWrite(ctx, "open", customerID, &p)
}

// ReplyToTicket adds a customer's message to one of their tickets and returns the ticket. A
// ticket that does not exist or belongs to another customer is an ErrNotFound error. Like
// OpenTicket it is never retried and keyed for repeats.
func (c *Client) ReplyToTicket(ctx context.Context, customerID, idempotencyKey, ticketID, message string) (*Ticket, error) {
	var p Params
	p.Set("customer_id", customerID)
	p.Set("idempotency_key", idempotencyKey)
	p.Set("ticket_id", ticketID)
	p.Set("message", message)
	return c.ticketWrite(ctx, "reply", customerID, &p)
}

// ticketWrite sends a write of support_api.php and checks that the ticket it returns is the
// customer's own and that its messages are its own.
func (c *Client) ticketWrite(ctx context.Context, op, customerID string, p *Params) (*Ticket, error) {
	var t Ticket
	if err := c.mutate(ctx, supportAPI, op, p, &t); err != nil {
		return nil, err
	}
	if t.CustomerID != ID(customerID) || t.ID == "" {
		return nil, &Error{Category: ErrFault, API: supportAPI, Op: op, Message: "response for another customer or without a ticket id"}
	}
	if err := checkMessages(op, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// checkMessages returns a mismatch fault when a message of t names another ticket than t in
// its ticket_id, or none.
func checkMessages(op string, t *Ticket) error {
	for _, m := range t.Messages {
		if m.TicketID != t.ID {
			return mismatch(supportAPI, op, string(t.ID), "ticket_id", m.TicketID)
		}
	}
	return nil
}
