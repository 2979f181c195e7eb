# customer-gateway: the GraphQL backend-for-frontend of the customer web site.
#
#   make demo       run the example back office and the gateway with the customer site
#   make backend    run only the example back office
#   make test       install what the tests need, then vet and run every test
#   make test-browser  check the site's operations and types, then run the browser tests
#   make types      regenerate web-example/site/js/operations.d.ts from the schema and operations
#   make generate   regenerate the gqlgen code in graph/ from schema/
#   make manifest   compile the site's operations into the trusted-documents manifest
#   make bench      measure the gateway beside its peers and write docs/performance.md
#   make soak       drive the whole stack at rising rates for 15 minutes (run by hand)

FUZZTIME ?= 10s

.PHONY: all build demo backend deps browser-deps test test-browser types generate manifest bench soak

all: build

build:
	go build -o bin/customer-gateway .

deps:
	@scripts/deps.sh

demo: deps
	@scripts/demo.sh

backend: deps
	@scripts/backend.sh

browser-deps:
	@scripts/browser-deps.sh

test: deps test-browser
	go vet ./...
	go test -count=1 ./...
	# One iteration of each handler benchmark, so that they keep working between bench runs.
	go test -run '^$$' -bench 'FakeUpstream$$' -benchtime 1x .
	go test ./upstream -run '^$$' -fuzz '^FuzzDecodeResponse$$' -fuzztime $(FUZZTIME)
	# The fast path of DecodeResponse must decode every body it accepts as the exact path does.
	go test ./upstream -run '^$$' -fuzz '^FuzzDecodeFast$$' -fuzztime $(FUZZTIME)

generate:
	go run github.com/99designs/gqlgen generate

# The operations are validated against the schema while the types are generated, so --check
# fails both on an invalid operation and on a stale operations.d.ts.
test-browser: deps browser-deps
	cd e2e && npx graphql-codegen --config codegen.yml --check --silent
	cd e2e && npx tsc --noEmit -p ../web-example/site/tsconfig.json
	cd e2e && node --test --test-concurrency=1 tests/

types: browser-deps
	cd e2e && npx graphql-codegen --config codegen.yml

manifest:
	go run ./scripts/manifest web-example/site/operations

bench:
	@bench/run.sh

soak:
	@bench/soak.sh
