package resolvers

import (
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// ValidationRules returns the validation rules of every operation: gqlparser's defaults, and in
// production (development false) two changes. Every rule that would suggest a name ("Did you
// mean") is swapped for its variant without suggestions, so that a stranger cannot map the
// schema by misspelling. A rule rejects __schema and __type wherever they appear, fragments
// included; rejecting them while validating gives the same GRAPHQL_VALIDATION_FAILED as any
// other invalid field and costs no execution.
func ValidationRules(development bool) func() *rules.Rules {
	return func() *rules.Rules {
		r := rules.NewDefaultRules()
		if development {
			return r
		}
		// gqlgen's own switch covers FieldsOnCorrectType and ScalarLeafs; these are the rest.
		for _, rule := range []core.Rule{
			rules.KnownArgumentNamesRuleWithoutSuggestions,
			rules.KnownTypeNamesRuleWithoutSuggestions,
			rules.ValuesOfCorrectTypeRuleWithoutSuggestions,
		} {
			r.RemoveRule(rule.Name[:len(rule.Name)-len("WithoutSuggestions")])
			r.AddRule(rule.Name, rule.RuleFunc)
		}
		r.AddRule("NoIntrospection", noIntrospection)
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
