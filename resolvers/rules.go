package resolvers

import (
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// ValidationRules returns the validation rules of every operation: gqlparser's defaults, plus,
// unless introspection is allowed, a rule that rejects __schema and __type wherever they appear,
// fragments included. Rejecting them while validating, rather than when the fields resolve,
// gives the customer site the same GRAPHQL_VALIDATION_FAILED as any other invalid field and
// costs no execution.
func ValidationRules(allowIntrospection bool) func() *rules.Rules {
	return func() *rules.Rules {
		r := rules.NewDefaultRules()
		if !allowIntrospection {
			r.AddRule("NoIntrospection", noIntrospection)
		}
		return r
	}
}

func noIntrospection(observers *core.Events, addError core.AddErrFunc) {
	observers.OnField(func(_ *core.Walker, field *ast.Field) {
		if field.Name == "__schema" || field.Name == "__type" {
			addError(core.Message("Introspection is disabled."), core.At(field.Position))
		}
	})
}
