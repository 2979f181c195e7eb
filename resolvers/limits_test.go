package resolvers

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"

	"customer-gateway/graph"
)

// newLimits returns OperationLimits over the real schema, with the default limits except
// for a complexity limit high enough to see the cost of every case.
func newLimits(t *testing.T) *OperationLimits {
	t.Helper()
	o := &OperationLimits{Limits: DefaultLimits}
	o.Limits.Complexity = 1 << 20
	o.Limits.Tokens = 1 << 20
	o.Validate(graph.NewExecutableSchema(graph.Config{Resolvers: &Resolver{}}))
	return o
}

// costOf returns the complexity that OperationLimits charges for query, or the refusal.
func costOf(t *testing.T, o *OperationLimits, query string, variables map[string]any) (int, error) {
	t.Helper()
	var cost Cost
	o.Admit = func(_ context.Context, c Cost) error { cost = c; return nil }
	if err := o.MutateOperationParameters(context.Background(), &graphql.RawParams{Query: query, Variables: variables}); err != nil {
		return 0, err.Err
	}
	return cost.Complexity, nil
}

func TestFragmentsCostLikeInline(t *testing.T) {
	o := newLimits(t)
	inline := `{ orders(first: 7) { totalCount edges { node { id total { amount currency } items { product { id price { amount } } } } } } }`
	same := map[string]string{
		"spreads": `{ orders(first: 7) { ...C } } fragment C on OrderConnection { totalCount edges { node { ...O } } }
			fragment O on Order { id total { ...M } items { product { id price { amount } } } } fragment M on Money { amount currency }`,
		"inline-fragments": `{ orders(first: 7) { ... on OrderConnection { totalCount edges { ... { node { id total { amount currency } items { product { id ... on Product { price { amount } } } } } } } } } }`,
		"mixed":            `{ orders(first: 7) { totalCount ...E } } fragment E on OrderConnection { edges { node { ... on Order { id total { amount currency } } items { product { id price { amount } } } } } }`,
	}
	want, err := costOf(t, o, inline, nil)
	if err != nil {
		t.Fatal(err)
	}
	// 1 (orders) + 7 * (totalCount 1 + edges 1 + node 1 + id 1 + total 3 + items 1 + product 1 + id 1 + price 2)
	if want != 1+7*12 {
		t.Errorf("inline cost = %d, want %d", want, 1+7*12)
	}
	for name, q := range same {
		t.Run(name, func(t *testing.T) {
			got, err := costOf(t, o, q, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("cost = %d, want %d as written inline", got, want)
			}
		})
	}
}

func TestListSizeFromFirst(t *testing.T) {
	o := newLimits(t)
	query := `query($n: Int) { orders(first: $n) { totalCount } }`
	tests := []struct {
		name string
		n    any
		want int
	}{
		{"variable", json.Number("30"), 1 + 30},
		{"default-when-unset", nil, 1 + 20},
		{"negative-counts-as-max", json.Number("-5"), 1 + maxPageSize},
		{"zero-counts-as-max", json.Number("0"), 1 + maxPageSize},
		{"huge-counts-as-max", json.Number("99999999999999999999"), 1 + maxPageSize},
		{"not-a-number", "many", 1 + maxPageSize},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vars := map[string]any{}
			if tt.n != nil {
				vars["n"] = tt.n
			}
			got, err := costOf(t, o, query, vars)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("cost = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestFragmentBombStopsAtLimit(t *testing.T) {
	o := newLimits(t)
	o.Limits.Complexity = 5000
	// Each fragment spreads the previous one twice: 2^40 fields once expanded.
	var b strings.Builder
	b.WriteString("{ ...F40 } fragment F0 on Query { me { id } }")
	for i := 1; i <= 40; i++ {
		b.WriteString(" fragment F" + strconv.Itoa(i) + " on Query { ...F" + strconv.Itoa(i-1) + " ...F" + strconv.Itoa(i-1) + " }")
	}
	_, err := costOf(t, o, b.String(), nil)
	var tooComplex *TooComplexError
	if !errors.As(err, &tooComplex) || tooComplex.Limit != "complexity" {
		t.Errorf("err = %v, want the complexity limit", err)
	}

	// Fragments that only spread each other, down to one that does not exist.
	b.Reset()
	b.WriteString("{ ...G40 }")
	for i := 1; i <= 40; i++ {
		b.WriteString(" fragment G" + strconv.Itoa(i) + " on Query { ...G" + strconv.Itoa(i-1) + " ...G" + strconv.Itoa(i-1) + " }")
	}
	if _, err := costOf(t, o, b.String(), nil); !errors.As(err, &tooComplex) {
		t.Errorf("spreads only: err = %v, want the complexity limit", err)
	}

	// A cycle, which validation rejects later, ends the walk.
	if _, err := costOf(t, o, "{ ...A } fragment A on Query { me { id } ...B } fragment B on Query { ...A }", nil); err != nil {
		t.Errorf("cycle: %v", err)
	}
}

func TestRootFieldsCountMergedFields(t *testing.T) {
	o := newLimits(t)

	// 21 fragments, each selecting me and spreading the next: one root field once merged.
	var b strings.Builder
	b.WriteString("{ ...F0 }")
	for i := range 21 {
		b.WriteString(" fragment F" + strconv.Itoa(i) + " on Query { me { id } ...F" + strconv.Itoa(i+1) + " }")
	}
	b.WriteString(" fragment F21 on Query { me { id } }")
	if _, err := costOf(t, o, b.String(), nil); err != nil {
		t.Errorf("one field through fragments: %v", err)
	}

	// The same field written six times, with and without its name as alias.
	if _, err := costOf(t, o, "{ me { id } me { name } me: me { id } ...on Query { me { id } } me { id } me { id } }", nil); err != nil {
		t.Errorf("one field written six times: %v", err)
	}

	// Six response keys are six root fields, however they are written.
	var tooComplex *TooComplexError
	six := "{ me { id } a: me { id } ...on Query { b: me { id } } ...X } fragment X on Query { c: me { id } d: me { id } e: me { id } }"
	if _, err := costOf(t, o, six, nil); !errors.As(err, &tooComplex) || tooComplex.Limit != "rootFields" {
		t.Errorf("six response keys: err = %v, want the rootFields limit", err)
	}
}

func TestLoginEmailFromEveryForm(t *testing.T) {
	o := newLimits(t)
	const login = `login(email: %s, password: "x") { customer { id } }`
	cases := []struct {
		name      string
		query     string
		variables map[string]any
	}{
		{"literal", `mutation { ` + strings.Replace(login, "%s", `"ann@example.com"`, 1) + ` }`, nil},
		{"variable", `mutation ($e: String!) { ` + strings.Replace(login, "%s", "$e", 1) + ` }`, map[string]any{"e": "ann@example.com"}},
		{"variable default", `mutation ($e: String! = "ann@example.com") { ` + strings.Replace(login, "%s", "$e", 1) + ` }`, nil},
		{"variable set over its default", `mutation ($e: String! = "bob@example.com") { ` + strings.Replace(login, "%s", "$e", 1) + ` }`, map[string]any{"e": "ann@example.com"}},
		{"written five times, merged", `mutation { ` + strings.Repeat(strings.Replace(login, "%s", `"ann@example.com"`, 1)+" ", 5) + ` }`, nil},
		{"through a fragment, merged", `mutation { ` + strings.Replace(login, "%s", `"ann@example.com"`, 1) + ` ...L } fragment L on Mutation { ` + strings.Replace(login, "%s", `"ann@example.com"`, 1) + ` }`, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var cost Cost
			o.Admit = func(_ context.Context, got Cost) error { cost = got; return nil }
			if err := o.MutateOperationParameters(context.Background(), &graphql.RawParams{Query: c.query, Variables: c.variables}); err != nil {
				t.Fatal(err)
			}
			if len(cost.LoginEmails) != 1 || cost.LoginEmails[0] != "ann@example.com" {
				t.Errorf("LoginEmails = %q, want [ann@example.com]", cost.LoginEmails)
			}
		})
	}
}
