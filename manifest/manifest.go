// Package manifest holds the trusted documents: the customer site's GraphQL operations, each
// under the SHA-256 of its exact text. In production the gateway executes only these documents,
// sent either by hash in the automatic persisted query (APQ) format or as full text.
package manifest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// Errors of Trusted. The error presenter maps them to GraphQL codes.
var (
	// ErrNotAllowed is a document that is not in the manifest, in production.
	ErrNotAllowed = errors.New("operation not in the trusted documents")
	// ErrUnknownHash is a hash sent without text that the manifest does not list.
	ErrUnknownHash = errors.New("persisted query not found")
	// ErrHashMismatch is a hash sent with a text whose hash differs.
	ErrHashMismatch = errors.New("persisted query hash does not match the query")
)

// Operation is one trusted document.
type Operation struct {
	// SHA256 is the lowercase hex SHA-256 of Document.
	SHA256 string `json:"sha256Hash"`
	// Document is the exact text of the operation's file.
	Document string `json:"document"`
}

// Manifest is the set of trusted documents, by operation name. Its JSON form is the file that
// `make manifest` writes and the site loads to learn the hashes.
type Manifest struct {
	Operations map[string]Operation `json:"operations"`

	byHash map[string]string
	names  map[string]bool // the operation names the documents define
}

// Hash returns the lowercase hex SHA-256 of text, the form of extensions.persistedQuery.sha256Hash.
func Hash(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

// Compile reads every *.graphql file of dir and returns the manifest's JSON, with operations in
// name order so that the output only changes when an operation does.
func Compile(dir string) ([]byte, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.graphql"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no .graphql file in %q", dir)
	}
	sort.Strings(files)
	m := Manifest{Operations: map[string]Operation{}}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		name := strings.TrimSuffix(filepath.Base(f), ".graphql")
		m.Operations[name] = Operation{SHA256: Hash(string(b)), Document: string(b)}
	}
	out, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// Load reads a manifest written by Compile and checks each hash against its document.
func Load(path string) (*Manifest, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("manifest %q is not valid JSON: %w", path, err)
	}
	if len(m.Operations) == 0 {
		return nil, fmt.Errorf("manifest %q lists no operation", path)
	}
	m.byHash = map[string]string{}
	for name, op := range m.Operations {
		if Hash(op.Document) != op.SHA256 {
			return nil, fmt.Errorf("manifest %q: the hash of operation %q does not match its document; run make manifest", path, name)
		}
		m.byHash[op.SHA256] = op.Document
	}
	m.names = map[string]bool{}
	for _, op := range m.Operations {
		// A document that does not parse fails when it runs; it defines no name here.
		doc, err := parser.ParseQuery(&ast.Source{Input: op.Document})
		if err != nil {
			continue
		}
		for _, def := range doc.Operations {
			if def.Name != "" {
				m.names[def.Name] = true
			}
		}
	}
	return &m, nil
}

// Lookup returns the document whose hash is sha256Hash.
func (m *Manifest) Lookup(sha256Hash string) (string, bool) {
	if m == nil {
		return "", false
	}
	doc, ok := m.byHash[strings.ToLower(sha256Hash)]
	return doc, ok
}

// HasOperation reports whether one of the documents defines an operation called name.
func (m *Manifest) HasOperation(name string) bool {
	return m != nil && m.names[name]
}

// Trusted is a gqlgen extension that resolves APQ hashes through the manifest and, when
// Enforce is set, refuses every document the manifest does not list. It runs before parsing,
// so a refused document costs no parsing, validation or upstream call.
type Trusted struct {
	// Manifest lists the trusted documents. It may be nil when Enforce is off.
	Manifest *Manifest
	// Enforce refuses documents outside the manifest: production sets it, development does not.
	Enforce bool
}

var (
	_ graphql.HandlerExtension          = Trusted{}
	_ graphql.OperationParameterMutator = Trusted{}
)

// ExtensionName names the extension in gqlgen's extension list.
func (Trusted) ExtensionName() string { return "TrustedDocuments" }

// Validate checks that an enforcing extension has a manifest.
func (t Trusted) Validate(graphql.ExecutableSchema) error {
	if t.Enforce && t.Manifest == nil {
		return errors.New("trusted documents are enforced but no manifest is loaded")
	}
	return nil
}

// MutateOperationParameters replaces a hash by its document, and refuses what the manifest does
// not allow.
func (t Trusted) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	hash := persistedHash(params.Extensions)
	switch {
	case hash != "" && params.Query == "":
		doc, ok := t.Manifest.Lookup(hash)
		if !ok {
			return refuse(ErrUnknownHash)
		}
		params.Query = doc
		return nil
	case hash != "" && !strings.EqualFold(hash, Hash(params.Query)):
		return refuse(ErrHashMismatch)
	}
	if !t.Enforce {
		return nil
	}
	if _, ok := t.Manifest.Lookup(Hash(params.Query)); !ok {
		return refuse(ErrNotAllowed)
	}
	return nil
}

// persistedHash returns extensions.persistedQuery.sha256Hash of version 1, or "".
func persistedHash(extensions map[string]any) string {
	pq, _ := extensions["persistedQuery"].(map[string]any)
	if pq == nil {
		return ""
	}
	hash, _ := pq["sha256Hash"].(string)
	return hash
}

func refuse(err error) *gqlerror.Error {
	return &gqlerror.Error{Message: err.Error(), Err: err}
}
