package graphiql

import (
	"crypto/sha256"
	"encoding/base64"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeAssets creates a node_modules folder with one small stand-in file per asset.
func writeAssets(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, a := range assets {
		path := filepath.Join(dir, filepath.FromSlash(a.path))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("/* "+a.name+" */"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func get(t *testing.T, h http.Handler, path string) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Result(), string(body)
}

func TestHandlerServesLocalFiles(t *testing.T) {
	h, err := Handler("/graphql", writeAssets(t))
	if err != nil {
		t.Fatal(err)
	}

	resp, page := get(t, h, "/playground")
	// html/template writes a + in an attribute as &#43;.
	page = html.UnescapeString(page)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /playground: status %d", resp.StatusCode)
	}
	if strings.Contains(page, "https://") {
		t.Errorf("the page loads something from another origin:\n%s", page)
	}
	for _, a := range assets {
		if !strings.Contains(page, `"`+AssetsPath+a.name+`"`) {
			t.Errorf("the page does not load %s%s", AssetsPath, a.name)
		}
		sum := sha256.Sum256([]byte("/* " + a.name + " */"))
		if want := "sha256-" + base64.StdEncoding.EncodeToString(sum[:]); !strings.Contains(page, want) {
			t.Errorf("the page lacks the integrity %s of %s", want, a.name)
		}

		resp, body := get(t, h, AssetsPath+a.name)
		if resp.StatusCode != http.StatusOK || body != "/* "+a.name+" */" {
			t.Errorf("GET %s%s: status %d, body %q", AssetsPath, a.name, resp.StatusCode, body)
		}
		if got := resp.Header.Get("Content-Type"); got != a.contentType {
			t.Errorf("GET %s%s: Content-Type %q, want %q", AssetsPath, a.name, got, a.contentType)
		}
	}

	if resp, _ := get(t, h, AssetsPath+"graphiql.js.map"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a file outside the list: status %d, want 404", resp.StatusCode)
	}
}

func TestHandlerMissingFile(t *testing.T) {
	dir := writeAssets(t)
	os.Remove(filepath.Join(dir, "react", "umd", "react.production.min.js"))

	_, err := Handler("/graphql", dir)
	if err == nil || !strings.Contains(err.Error(), "react/umd/react.production.min.js") {
		t.Fatalf("error %v, want one naming the missing file", err)
	}
}
