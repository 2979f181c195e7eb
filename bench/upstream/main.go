// Command upstream serves the benchmark upstream (package bench/backoffice) on a loopback
// address, with a fixed latency per call. GET /calls returns the number of API calls served, so
// a load generator can count the upstream calls of each peer's operations.
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"

	"customer-gateway/bench/backoffice"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8091", "listen `address`")
	fixtures := flag.String("fixtures", "bench/testdata/fixtures.json", "fixtures `file` written by bench/export-fixtures.php")
	latency := flag.Duration("latency", 0, "delay of every call, for example 5ms")
	flag.Parse()
	key := os.Getenv("UPSTREAM_API_KEY")
	if key == "" {
		log.Fatal("UPSTREAM_API_KEY is missing: set it to the key the gateway and the peers send")
	}

	f, err := backoffice.LoadFixtures(*fixtures)
	if err != nil {
		log.Fatal(err)
	}
	srv := backoffice.NewServer(f, key, *latency)
	mux := http.NewServeMux()
	mux.Handle("/apis/", srv)
	mux.HandleFunc("GET /calls", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, srv.Calls())
	})
	log.Printf("benchmark upstream on http://%s/apis/ with %s latency", *addr, *latency)
	log.Fatal((&http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}).ListenAndServe())
}
