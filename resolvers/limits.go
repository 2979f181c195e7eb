package resolvers

import (
	"context"
	"encoding/json"
	"fmt"
	"math"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/lexer"
	"github.com/vektah/gqlparser/v2/parser"
)

// Limits are the bounds of one operation. The defaults are sized from the customer site's
// operations: the largest has 69 tokens (OrderDetail), depth 5, no alias and one root field, and
// the costliest is Orders at first: 100, complexity 1401. The headroom admits operations the
// size of the dashboard a front-end developer writes next (complexity 3004 at first: 100,
// depth 7).
type Limits struct {
	// Tokens is the maximum number of lexical tokens in the document, comments excluded.
	Tokens int
	// Depth is the maximum nesting of selections, counting a root field as depth 1.
	Depth int
	// Aliases is the maximum number of aliased fields in the operation.
	Aliases int
	// RootFields is the maximum number of fields selected at the root of the operation. Fields
	// with the same response key count once, because they merge into one.
	RootFields int
	// Complexity is the maximum cost: each field costs 1, and a field with a first argument
	// costs 1 plus first times the cost of its selection.
	Complexity int
}

// maxCachedQuery is the longest document text, in bytes, that OperationLimits caches parsed. A
// longer one is parsed on every request, so that padding with comments cannot make the cache's
// 1000 entries hold a gigabyte.
const maxCachedQuery = 16 << 10

// maxMutationFields is how many root fields a mutation may select. One change per operation
// keeps a response honest about what was written. When one of several aliased writes fails,
// GraphQL nulls the whole data object and hides the writes that succeeded. Several logins in
// one request would also let a guesser try passwords faster than the login rate limit counts.
const maxMutationFields = 1

// DefaultLimits are the limits used when none are configured.
var DefaultLimits = Limits{Tokens: 1000, Depth: 10, Aliases: 10, RootFields: 5, Complexity: 5000}

// TooComplexError reports an operation over one of its Limits. The error presenter turns it into
// QUERY_TOO_COMPLEX with the limit's name and value in the extensions.
type TooComplexError struct {
	// Limit names the limit: tokens, depth, aliases, rootFields or complexity.
	Limit string
	// Max is the limit's configured value.
	Max int
}

func (e *TooComplexError) Error() string {
	return fmt.Sprintf("operation exceeds the %s limit of %d", e.Limit, e.Max)
}

// Cost is the measurement of an operation that admission checks after the limits use.
type Cost struct {
	// Complexity is the operation's cost as Limits.Complexity counts it.
	Complexity int
	// LoginEmails are the email arguments of the operation's root login fields.
	LoginEmails []string
}

// OperationLimits is a gqlgen extension that measures each operation against Limits before it
// is validated or executed, and then hands its cost to Admit.
//
// It measures the parsed document rather than the validated one, so a 30-level query that is
// also invalid gets QUERY_TOO_COMPLEX and no validation work. Fragment spreads and inline
// fragments are expanded where they appear, so they cost exactly what the same selection
// written inline costs; @skip and @include are ignored, so a conditional field is counted.
type OperationLimits struct {
	Limits Limits
	// Admit, when set, runs after the limits passed, for example to charge a rate limit by
	// cost. An error from it refuses the operation.
	Admit func(ctx context.Context, cost Cost) error

	schema *ast.Schema
	// parsed caches documents by their text, as gqlgen's own query cache does after validation.
	parsed *lru.Cache[string, *ast.QueryDocument]
}

var (
	_ graphql.HandlerExtension          = (*OperationLimits)(nil)
	_ graphql.OperationParameterMutator = (*OperationLimits)(nil)
)

// ExtensionName names the extension in gqlgen's extension list.
func (o *OperationLimits) ExtensionName() string { return "OperationLimits" }

// Validate keeps the schema, which the complexity count needs for argument defaults.
func (o *OperationLimits) Validate(schema graphql.ExecutableSchema) error {
	o.schema = schema.Schema()
	parsed, err := lru.New[string, *ast.QueryDocument](1000)
	if err != nil {
		return err
	}
	o.parsed = parsed
	return nil
}

// MutateOperationParameters measures the operation in params and refuses it when it is over a
// limit. It leaves params unchanged.
func (o *OperationLimits) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	if params.Query == "" {
		return nil
	}
	if countTokens(params.Query, o.Limits.Tokens) > o.Limits.Tokens {
		return refuse(&TooComplexError{Limit: "tokens", Max: o.Limits.Tokens})
	}
	doc, ok := o.parsed.Get(params.Query)
	if !ok {
		var err error
		if doc, err = parser.ParseQuery(&ast.Source{Input: params.Query}); err != nil {
			// gqlgen parses again and reports the syntax error itself.
			return nil
		}
		if len(params.Query) <= maxCachedQuery {
			o.parsed.Add(params.Query, doc)
		}
	}
	op := doc.Operations.ForName(params.OperationName)
	if op == nil {
		return noOperation(doc, params.OperationName)
	}

	cost, tooComplex := o.measure(doc, op, params.Variables)
	if tooComplex != nil {
		return refuse(tooComplex)
	}
	if o.Admit != nil {
		if err := o.Admit(ctx, cost); err != nil {
			return refuse(err)
		}
	}
	return nil
}

// noOperation returns the validation error of a document in which operationName selects no
// operation. gqlgen's own message, "operation  not found", does not say what to change. The
// name is not repeated, because it is the client's text and may be long.
func noOperation(doc *ast.QueryDocument, operationName string) *gqlerror.Error {
	message := "The document has no operation named by operationName."
	switch {
	case len(doc.Operations) == 0:
		message = "The document has no operation to run."
	case operationName == "":
		message = "The document has more than one operation, so operationName must name the one to run."
	}
	err := &gqlerror.Error{Message: message}
	errcode.Set(err, errcode.ValidationFailed)
	return err
}

// refuse wraps err for gqlgen; the error presenter classifies it by its cause.
func refuse(err error) *gqlerror.Error {
	return &gqlerror.Error{Message: err.Error(), Err: err}
}

// countTokens returns the number of tokens in query, counting no further than max+1.
func countTokens(query string, max int) int {
	lex := lexer.New(&ast.Source{Input: query})
	n := 0
	for n <= max {
		tok, err := lex.ReadToken()
		if err != nil || tok.Kind == lexer.EOF {
			break
		}
		if tok.Kind != lexer.Comment {
			n++
		}
	}
	return n
}

// measurement walks one operation, fragments expanded. Every visited field adds at least 1 to
// the complexity, so the walk stops once it visited more fields and fragment spreads than the
// complexity limit. A fragment that spreads another many times over therefore cannot make the
// walk itself expensive.
type measurement struct {
	doc       *ast.QueryDocument
	op        *ast.OperationDefinition
	schema    *ast.Schema
	variables map[string]any
	limits    Limits

	visits  int
	aliases int
	emails  []string
	err     *TooComplexError
	// active holds the fragments being expanded, so a cycle, which validation would reject
	// later, ends the walk instead of recursing forever.
	active map[string]bool
}

func (o *OperationLimits) measure(doc *ast.QueryDocument, op *ast.OperationDefinition, variables map[string]any) (Cost, *TooComplexError) {
	m := &measurement{doc: doc, op: op, schema: o.schema, variables: variables, limits: o.Limits, active: map[string]bool{}}
	var root *ast.Definition
	if o.schema != nil {
		switch op.Operation {
		case ast.Mutation:
			root = o.schema.Mutation
		case ast.Subscription:
			root = o.schema.Subscription
		default:
			root = o.schema.Query
		}
	}

	// Root fields with the same response key merge into one when the executor runs them, so
	// each key counts once. A field repeated through several fragments is one field.
	rootKeys := map[string]bool{}
	complexity := m.selectionCost(op.SelectionSet, root, 1, func(f *ast.Field) {
		key := f.Alias
		if key == "" {
			key = f.Name
		}
		merged := rootKeys[key]
		rootKeys[key] = true
		// A login merged into an earlier one with its key runs once, so it is one attempt.
		if op.Operation == ast.Mutation && f.Name == "login" && !merged {
			// An email that is not a string fails validation later; it still counts as an
			// attempt, under the empty email.
			email, _ := m.stringArgument(f, "email")
			m.emails = append(m.emails, email)
		}
	})
	rootFields := len(rootKeys)
	switch {
	case m.err != nil:
		return Cost{}, m.err
	case rootFields > m.limits.RootFields:
		return Cost{}, &TooComplexError{Limit: "rootFields", Max: m.limits.RootFields}
	case op.Operation == ast.Mutation && rootFields > maxMutationFields:
		return Cost{}, &TooComplexError{Limit: "mutationFields", Max: maxMutationFields}
	case m.aliases > m.limits.Aliases:
		return Cost{}, &TooComplexError{Limit: "aliases", Max: m.limits.Aliases}
	case complexity > m.limits.Complexity:
		return Cost{}, &TooComplexError{Limit: "complexity", Max: m.limits.Complexity}
	}
	return Cost{Complexity: complexity, LoginEmails: m.emails}, nil
}

// selectionCost returns the cost of set, selected on parent at depth. onField, when set, is
// called with each field of set itself, fragments expanded. The cost saturates at MaxInt32 so that large
// multipliers cannot overflow.
func (m *measurement) selectionCost(set ast.SelectionSet, parent *ast.Definition, depth int, onField func(*ast.Field)) int {
	total := 0
	for _, sel := range set {
		if m.err != nil {
			return total
		}
		switch s := sel.(type) {
		case *ast.Field:
			if onField != nil {
				onField(s)
			}
			total = saturatingAdd(total, m.fieldCost(s, parent, depth))
		case *ast.InlineFragment:
			total = saturatingAdd(total, m.selectionCost(s.SelectionSet, m.typeNamed(s.TypeCondition, parent), depth, onField))
		case *ast.FragmentSpread:
			// A spread counts as a visit too: fragments that only spread other fragments,
			// or missing ones, must not make the walk unbounded either.
			if m.visits++; m.visits > m.limits.Complexity {
				m.err = &TooComplexError{Limit: "complexity", Max: m.limits.Complexity}
				return total
			}
			def := m.doc.Fragments.ForName(s.Name)
			if def == nil || m.active[s.Name] {
				continue
			}
			m.active[s.Name] = true
			total = saturatingAdd(total, m.selectionCost(def.SelectionSet, m.typeNamed(def.TypeCondition, parent), depth, onField))
			delete(m.active, s.Name)
		}
	}
	return total
}

func (m *measurement) fieldCost(f *ast.Field, parent *ast.Definition, depth int) int {
	m.visits++
	if f.Alias != "" && f.Alias != f.Name {
		m.aliases++
	}
	switch {
	case depth > m.limits.Depth:
		m.err = &TooComplexError{Limit: "depth", Max: m.limits.Depth}
		return 0
	case m.visits > m.limits.Complexity:
		m.err = &TooComplexError{Limit: "complexity", Max: m.limits.Complexity}
		return 0
	case m.aliases > m.limits.Aliases:
		m.err = &TooComplexError{Limit: "aliases", Max: m.limits.Aliases}
		return 0
	}

	var def *ast.FieldDefinition
	var child *ast.Definition
	if parent != nil {
		if def = parent.Fields.ForName(f.Name); def != nil && m.schema != nil {
			child = m.schema.Types[def.Type.Name()]
		}
	}
	inner := m.selectionCost(f.SelectionSet, child, depth+1, nil)
	return saturatingAdd(1, saturatingMul(m.listSize(f, def), inner))
}

// listSize returns the multiplier of a field's selection: its first argument, or the
// argument's default, or 1 for a field without one. A first outside 1 to maxPageSize counts as
// maxPageSize, the largest page a field returns, so it is never counted cheaper than it could
// be. The resolver then rejects it with BAD_USER_INPUT.
func (m *measurement) listSize(f *ast.Field, def *ast.FieldDefinition) int {
	if def == nil || def.Arguments.ForName("first") == nil {
		return 1
	}
	value := def.Arguments.ForName("first").DefaultValue
	if arg := f.Arguments.ForName("first"); arg != nil {
		value = m.resolveVariable(arg.Value, value)
	}
	n, ok := m.intValue(value)
	if !ok || n < 1 || n > maxPageSize {
		return maxPageSize
	}
	return int(n)
}

// resolveVariable returns v, or for a variable that the request did not set, the variable's
// default in the operation, or else absent, the argument's default in the schema.
func (m *measurement) resolveVariable(v, absent *ast.Value) *ast.Value {
	if v == nil || v.Kind != ast.Variable {
		return v
	}
	if _, set := m.variables[v.Raw]; set {
		return v
	}
	if def := m.op.VariableDefinitions.ForName(v.Raw); def != nil && def.DefaultValue != nil {
		return def.DefaultValue
	}
	return absent
}

// intValue returns the integer value of v, a literal or a variable.
func (m *measurement) intValue(v *ast.Value) (int64, bool) {
	if v == nil {
		return 0, false
	}
	if v.Kind == ast.Variable {
		raw, ok := m.variables[v.Raw]
		if !ok || raw == nil {
			return 0, false
		}
		switch n := raw.(type) {
		case json.Number:
			i, err := n.Int64()
			return i, err == nil
		case float64:
			return int64(n), n == math.Trunc(n) && math.Abs(n) < 1<<53
		case int:
			return int64(n), true
		case int64:
			return n, true
		}
		return 0, false
	}
	if v.Kind != ast.IntValue {
		return 0, false
	}
	var i int64
	_, err := fmt.Sscan(v.Raw, &i)
	return i, err == nil
}

// stringArgument returns the string value of f's argument name, a literal or a variable.
func (m *measurement) stringArgument(f *ast.Field, name string) (string, bool) {
	arg := f.Arguments.ForName(name)
	if arg == nil {
		return "", false
	}
	// A variable the request leaves out takes its default from the operation.
	value := m.resolveVariable(arg.Value, nil)
	if value == nil {
		return "", false
	}
	if value.Kind == ast.Variable {
		s, ok := m.variables[value.Raw].(string)
		return s, ok
	}
	if value.Kind == ast.StringValue || value.Kind == ast.BlockValue {
		return value.Raw, true
	}
	return "", false
}

// typeNamed returns the schema type called name, or fallback when name is empty or unknown.
func (m *measurement) typeNamed(name string, fallback *ast.Definition) *ast.Definition {
	if name == "" || m.schema == nil {
		return fallback
	}
	if t := m.schema.Types[name]; t != nil {
		return t
	}
	return fallback
}

func saturatingAdd(a, b int) int {
	if a+b > math.MaxInt32 {
		return math.MaxInt32
	}
	return a + b
}

func saturatingMul(a, b int) int {
	if a != 0 && b > math.MaxInt32/a {
		return math.MaxInt32
	}
	return a * b
}
