//go:build tools

// Package tools pins the code generator's version in go.mod, so that `make generate` runs the
// same gqlgen that the module builds against.
package tools

import _ "github.com/99designs/gqlgen"
