# customer-gateway: the GraphQL backend-for-frontend of the customer web site.
#
#   make demo       run the example back office and the gateway with the customer site
#   make backend    run only the example back office
#   make test       install what the tests need, then vet and run every test
#   make generate   regenerate the gqlgen code in graph/ from schema/
#   make bench      measure the gateway beside its peers and write docs/performance.md
#   make soak       drive the whole stack at rising rates for 15 minutes (run by hand)

FUZZTIME ?= 10s

.PHONY: all build demo backend deps test generate bench soak

all: build

build:
	go build -o bin/customer-gateway .

deps:
	@scripts/deps.sh

demo: deps
	@scripts/demo.sh

backend: deps
	@scripts/backend.sh

test: deps
	go vet ./...
	go test -count=1 ./...
	go test ./upstream -run '^$$' -fuzz '^FuzzDecodeResponse$$' -fuzztime $(FUZZTIME)

generate:
	go run github.com/99designs/gqlgen generate

bench:
	@bench/run.sh

soak:
	@bench/soak.sh
