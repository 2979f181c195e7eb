# customer-gateway: the GraphQL backend-for-frontend of the customer web site.
#
#   make demo       run the example back office and the gateway with the customer site
#   make backend    run only the example back office
#   make test       install what the tests need, then vet and run every test
#   make generate   regenerate the gqlgen code in graph/ from schema/
#   make manifest   compile the site's operations into the trusted-documents manifest

FUZZTIME ?= 10s

.PHONY: all build demo backend deps test generate manifest

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

manifest:
	go run ./scripts/manifest web-example/site/operations
