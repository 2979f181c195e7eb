package upstream

import "context"

// accountAPI is the PHP file of logins and customer profiles.
const accountAPI = "account_api.php"

// Account is the customer a login matched.
type Account struct {
	CustomerID ID     `json:"customer_id"`
	Name       String `json:"name"`
	Email      String `json:"email"`
}

// Profile is a customer's own record.
type Profile struct {
	ID        ID        `json:"id"`
	Name      String    `json:"name"`
	Email     String    `json:"email"`
	Phone     String    `json:"phone"`
	Created   LocalTime `json:"created"`
	LastLogin LocalTime `json:"last_login"`
}

// Login checks an email and password. A mismatch is an error in the ErrLoginFailed category.
// Login is never retried, because the back office may count failed attempts.
func (c *Client) Login(ctx context.Context, email, password string) (*Account, error) {
	var p Params
	p.Set("email", email)
	p.Set("password", password)

	var a Account
	if err := c.callOnce(ctx, accountAPI, "login", &p, &a); err != nil {
		return nil, err
	}
	if a.CustomerID == "" {
		return nil, &Error{Category: ErrFault, API: accountAPI, Op: "login", Message: "answer without customer_id"}
	}
	return &a, nil
}

// Profile returns the profile of one customer.
func (c *Client) Profile(ctx context.Context, customerID string) (*Profile, error) {
	var p Params
	p.Set("customer_id", customerID)

	var pr Profile
	if err := c.call(ctx, accountAPI, "profile", &p, &pr); err != nil {
		return nil, err
	}
	if pr.ID != ID(customerID) {
		return nil, &Error{Category: ErrFault, API: accountAPI, Op: "profile", Message: "answer for another customer"}
	}
	return &pr, nil
}
