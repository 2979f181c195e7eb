// Command manifest compiles the customer site's operations into the trusted-documents manifest:
//
//	go run ./scripts/manifest web-example/site/operations
//
// writes web-example/site/operations/manifest.json.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"customer-gateway/manifest"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: manifest OPERATIONS_FOLDER")
		os.Exit(2)
	}
	dir := os.Args[1]
	out, err := manifest.Compile(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "manifest:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), out, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "manifest:", err)
		os.Exit(1)
	}
}
