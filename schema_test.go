package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

func loadSchema(t *testing.T) *ast.Schema {
	t.Helper()
	files, _ := filepath.Glob("schema/*.graphqls")
	var sources []*ast.Source
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sources = append(sources, &ast.Source{Name: f, Input: string(b)})
	}
	schema, err := gqlparser.LoadSchema(sources...)
	if err != nil {
		t.Fatalf("schema: %v", err)
	}
	return schema
}

// TestSiteOperationsValidate checks every operation of the customer site against the schema,
// and that each file holds one operation named like the file.
func TestSiteOperationsValidate(t *testing.T) {
	schema := loadSchema(t)
	files, _ := filepath.Glob("web-example/site/operations/*.graphql")
	if len(files) == 0 {
		t.Fatal("no operations found")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			doc, errs := gqlparser.LoadQuery(schema, string(b))
			if len(errs) > 0 {
				t.Fatalf("invalid: %v", errs)
			}
			want := strings.TrimSuffix(filepath.Base(f), ".graphql")
			if len(doc.Operations) != 1 || doc.Operations[0].Name != want {
				t.Errorf("want exactly one operation named %s", want)
			}
		})
	}
}

// TestSchemaIsDocumented checks that every type, field, argument and enum value of the public
// contract has a description.
func TestSchemaIsDocumented(t *testing.T) {
	schema := loadSchema(t)
	for name, def := range schema.Types {
		if def.BuiltIn || strings.HasPrefix(name, "__") {
			continue
		}
		if def.Description == "" {
			t.Errorf("type %s has no description", name)
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			if f.Description == "" {
				t.Errorf("field %s.%s has no description", name, f.Name)
			}
			for _, a := range f.Arguments {
				if a.Description == "" {
					t.Errorf("argument %s.%s(%s) has no description", name, f.Name, a.Name)
				}
			}
		}
		for _, v := range def.EnumValues {
			if v.Description == "" {
				t.Errorf("enum value %s.%s has no description", name, v.Name)
			}
		}
	}
}

// TestGeneratedCodeIsCurrent regenerates the gqlgen code in a copy of the module and fails when
// it differs from the committed graph/ folder: generated code is never edited by hand, and a
// schema change must come with `make generate`.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	dir := t.TempDir()
	for _, path := range []string{"go.mod", "go.sum", "gqlgen.yml", "tools.go", "schema", "graph", "resolvers", "upstream", "session", "edge", "telemetry", "manifest", "cache", "ratelimit", "order"} {
		if out, err := exec.Command("cp", "-r", path, filepath.Join(dir, path)).CombinedOutput(); err != nil {
			t.Fatalf("copying %s: %v: %s", path, err, out)
		}
	}
	cmd := exec.Command("go", "run", "github.com/99designs/gqlgen", "generate")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gqlgen generate failed: %v\n%s", err, out)
	}

	var stale []string
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if !strings.HasPrefix(rel, "graph/") && !strings.HasSuffix(rel, ".resolvers.go") {
			return nil
		}
		fresh, _ := os.ReadFile(path)
		committed, _ := os.ReadFile(rel)
		if !bytes.Equal(fresh, committed) {
			stale = append(stale, rel)
		}
		return nil
	})
	if len(stale) > 0 {
		t.Errorf("generated code is stale in %v: run `make generate` and commit the result", stale)
	}
}
