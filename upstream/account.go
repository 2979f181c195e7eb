package upstream

import (
	"context"
	"strconv"
	"strings"
)

// accountAPI is the PHP file of logins and customer profiles.
const accountAPI = "account_api.php"

// Account is the customer a login matched.
type Account struct {
	CustomerID ID     `json:"customer_id"`
	Name       String `json:"name"`
	Email      String `json:"email"`
}

// Profile is a customer's own record. Version grows by one with every update; an update
// names the version it was based on.
type Profile struct {
	ID         ID        `json:"id"`
	Name       String    `json:"name"`
	Email      String    `json:"email"`
	Phone      String    `json:"phone"`
	Street     String    `json:"street"`
	PostalCode String    `json:"postal_code"`
	City       String    `json:"city"`
	Country    String    `json:"country"`
	Version    Int       `json:"version"`
	Created    LocalTime `json:"created"`
	LastLogin  LocalTime `json:"last_login"`
}

// ProfileUpdate is the new state of the fields a customer may change, and the version of the
// profile it was made from.
type ProfileUpdate struct {
	Version    int
	Name       string
	Phone      string
	Street     string
	PostalCode string
	City       string
	Country    string
}

// StaleVersionError is the response to a profile update made from an older version than the
// stored one. Current is the stored profile, which the update did not change.
type StaleVersionError struct {
	Current *Profile
}

func (e *StaleVersionError) Error() string {
	return accountAPI + " update_profile: conflict: version is stale, stored version is " + strconv.Itoa(int(e.Current.Version))
}

// Unwrap returns ErrConflict, so that errors.Is matches the category.
func (e *StaleVersionError) Unwrap() error { return ErrConflict }

// profileChange is the response of update_profile: the outcome and the profile after it.
type profileChange struct {
	Outcome String  `json:"outcome"`
	Profile Profile `json:"profile"`
}

// Login checks an email and password. A mismatch is an error in the ErrLoginFailed category.
// An account without a customer_id, or with another email than the one sent, is an ErrFault
// error, so that a faulty response never starts a session for another customer. Login is never
// retried, because the back office may count failed attempts.
func (c *Client) Login(ctx context.Context, email, password string) (*Account, error) {
	var p Params
	p.Set("email", email)
	p.Set("password", password)

	var a Account
	if err := c.callOnce(ctx, accountAPI, "login", &p, &a, func() error { return checkAccount(&a, email) }); err != nil {
		return nil, err
	}
	return &a, nil
}

// checkAccount returns a fault when a, the account a login with email returned, has no
// customer_id or another email.
func checkAccount(a *Account, email string) error {
	if a.CustomerID == "" {
		return &Error{Category: ErrFault, API: accountAPI, Op: "login", Message: "answer without customer_id"}
	}
	if !sameEmail(string(a.Email), email) {
		// The message leaves both emails out of the log and names only the customer id.
		return &Error{Category: ErrFault, API: accountAPI, Op: "login",
			Message: "account " + string(a.CustomerID) + " has another email than the one sent"}
	}
	return nil
}

// sameEmail reports whether two emails name the same account the way the example back office
// looks one up. PHP's trim removes spaces, tabs, line breaks, NUL and vertical tab around the
// sent email, and the customers table compares emails with SQLite's case-insensitive NOCASE.
// EqualFold also folds non-ASCII letters, which NOCASE does not, so it never rejects an email
// that the back office matched.
func sameEmail(a, b string) bool {
	const phpTrimSet = " \t\n\r\x00\x0b"
	return strings.EqualFold(strings.Trim(a, phpTrimSet), strings.Trim(b, phpTrimSet))
}

// Profile returns the profile of one customer. A profile of another customer, or one without
// an email, is an ErrFault error (see checkProfile).
func (c *Client) Profile(ctx context.Context, customerID string) (*Profile, error) {
	var p Params
	p.Set("customer_id", customerID)

	var pr Profile
	check := func() error { return checkProfile("profile", customerID, &pr) }
	if err := c.call(ctx, accountAPI, "profile", &p, &pr, check); err != nil {
		return nil, err
	}
	return &pr, nil
}

// UpdateProfile replaces a customer's name, phone and postal address, if u.Version is still
// the stored version, and returns the profile after the update. A stale version is a
// *StaleVersionError carrying the stored profile. The call is never retried (see mutate);
// repeating it with the same idempotency key returns the first response.
func (c *Client) UpdateProfile(ctx context.Context, customerID, idempotencyKey string, u ProfileUpdate) (*Profile, error) {
	var p Params
	p.Set("customer_id", customerID)
	p.Set("idempotency_key", idempotencyKey)
	p.SetInt("version", int64(u.Version))
	p.Set("name", u.Name)
	p.Set("phone", u.Phone)
	p.Set("street", u.Street)
	p.Set("postal_code", u.PostalCode)
	p.Set("city", u.City)
	p.Set("country", u.Country)

	var change profileChange
	if err := c.mutate(ctx, accountAPI, "update_profile", &p, &change); err != nil {
		return nil, err
	}
	if err := checkProfile("update_profile", customerID, &change.Profile); err != nil {
		return nil, err
	}
	switch change.Outcome {
	case "updated":
		return &change.Profile, nil
	case "conflict":
		return nil, &StaleVersionError{Current: &change.Profile}
	}
	return nil, &Error{Category: ErrFault, API: accountAPI, Op: "update_profile", Message: "unknown outcome " + strconv.Quote(string(change.Outcome))}
}

// checkProfile returns an ErrFault error when pr is not the profile of customerID or has no
// email. The customer logged in with their email, so a profile without one is not their
// record (a row of nulls, for example). An empty name is left alone, because the schema can
// show it and the back office's customers table allows it.
func checkProfile(op, customerID string, pr *Profile) error {
	if pr.ID != ID(customerID) {
		return mismatch(accountAPI, op, customerID, "id", pr.ID)
	}
	if pr.Email == "" {
		return &Error{Category: ErrFault, API: accountAPI, Op: op, Message: "profile of " + customerID + " has no email"}
	}
	return nil
}
