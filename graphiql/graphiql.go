// Package graphiql serves GraphiQL, the in-browser GraphQL IDE, in development from files that
// npm installed on the developer's machine, so it works without reaching a CDN.
//
// The page itself is gqlgen's playground page with its script and style URLs pointed at
// /playground/assets/. The files stay out of the repository: `npm ci` in e2e/ installs them, and
// GRAPHIQL_DIR names the node_modules folder that holds them.
package graphiql

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"path/filepath"

	"github.com/99designs/gqlgen/graphql/playground"
)

// AssetsPath is the URL path under which the GraphiQL and React files are served.
const AssetsPath = "/playground/assets/"

// asset is one file of the page, read from a package inside the node_modules folder.
type asset struct {
	name        string // file name under AssetsPath
	path        string // path inside node_modules
	contentType string
}

// assets lists the files that gqlgen's playground page loads. graphiql 4.1.2 ships a UMD build
// that expects React 18 as the globals React and ReactDOM, which React 18.2.0 ships in umd/.
var assets = []asset{
	{"graphiql.min.js", "graphiql/graphiql.min.js", "text/javascript; charset=utf-8"},
	{"graphiql.min.css", "graphiql/graphiql.min.css", "text/css; charset=utf-8"},
	{"react.production.min.js", "react/umd/react.production.min.js", "text/javascript; charset=utf-8"},
	{"react-dom.production.min.js", "react-dom/umd/react-dom.production.min.js", "text/javascript; charset=utf-8"},
}

// Handler returns the handler of GET /playground and of the files under AssetsPath. endpoint is
// the path of the GraphQL endpoint that the page queries with the browser's cookies. dir is a
// node_modules folder holding the npm packages graphiql, react and react-dom; Handler reads the
// files once and fails when one of them is missing.
func Handler(endpoint, dir string) (http.Handler, error) {
	files := make(map[string][]byte, len(assets))
	integrity := make(map[string]string, len(assets))
	for _, a := range assets {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(a.path)))
		if err != nil {
			return nil, fmt.Errorf("GraphiQL file %q is missing: run npm ci in e2e/ and set GRAPHIQL_DIR to its node_modules folder: %w", a.path, err)
		}
		sum := sha256.Sum256(b)
		files[a.name] = b
		integrity[a.name] = "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
	}

	page := playground.Handler("customer-gateway", endpoint,
		playground.WithGraphiqlVersion(
			AssetsPath+"graphiql.min.js", AssetsPath+"graphiql.min.css",
			integrity["graphiql.min.js"], integrity["graphiql.min.css"]),
		playground.WithGraphiqlReactVersion(
			AssetsPath+"react.production.min.js", AssetsPath+"react-dom.production.min.js",
			integrity["react.production.min.js"], integrity["react-dom.production.min.js"]),
	)

	mux := http.NewServeMux()
	mux.Handle("GET /playground", page)
	for _, a := range assets {
		body, contentType := files[a.name], a.contentType
		mux.HandleFunc("GET "+AssetsPath+a.name, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", contentType)
			w.Header().Set("X-Content-Type-Options", "nosniff")
			w.Write(body)
		})
	}
	return mux, nil
}
