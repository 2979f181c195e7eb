// Package resolvers implements the GraphQL schema. Resolvers stay thin: they read the session's
// identity, call a loader or the upstream client, and map the answer to the schema's models.
package resolvers

import (
	"log/slog"

	"customer-gateway/upstream"
)

// Resolver is the root of the resolvers and holds their dependencies. It is shared by all
// requests; per-request state (the session, the loaders) travels in the context.
type Resolver struct {
	// Upstream is the back-office client, for the calls that no loader batches.
	Upstream *upstream.Client
	// Log receives the causes of errors that customers only see masked.
	Log *slog.Logger
	// Busy reports whether other operations are executing besides the caller's. A nil Busy
	// means never.
	Busy func() bool
}

// busy reports whether other operations are executing besides the caller's.
func (r *Resolver) busy() bool {
	return r.Busy != nil && r.Busy()
}
