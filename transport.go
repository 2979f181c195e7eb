package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"customer-gateway/edge"
)

// Media types of a GraphQL response over HTTP.
const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

// postTransport is gqlgen's POST transport (transport.POST) with a cheaper response writer.
// gqlgen writes each response with json.Marshal, which scans the data, already JSON, once more
// to compact it and escape HTML characters: on a dashboard about 4 % of the gateway's CPU.
// postTransport writes the data as the executor produced it. Like JSON.stringify in
// JavaScript servers, it leaves <, > and & unescaped, which is valid JSON. edge.APIHeaders
// adds nosniff so that browsers do not read it as HTML.
type postTransport struct {
	transport.POST
	log *slog.Logger
}

var _ graphql.Transport = postTransport{}

// Supports reports whether r is a POST of JSON. transport.POST also rejects a request with an
// Upgrade header, and gqlgen then responds 400 with no error code and no media type. A server
// may ignore Upgrade and keep its protocol (RFC 9110, section 7.8), so the gateway does.
func (t postTransport) Supports(r *http.Request) bool {
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && r.Method == http.MethodPost && mediaType == "application/json"
}

// internalErrorBody is the response when a response cannot be encoded.
const internalErrorBody = `{"errors":[{"message":"Internal server error.","extensions":{"code":"INTERNAL_SERVER_ERROR"}}],"data":null}`

// Do executes one POST request. Status codes, headers and errors are those of transport.POST
// without response headers configured; TestPOSTTransportMatchesGqlgen compares the two.
func (t postTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx := r.Context()
	contentType := responseMediaType(r.Header.Get("Accept"))
	w.Header().Set("Content-Type", contentType)
	start := graphql.Now()

	body, err := io.ReadAll(r.Body)
	if err != nil {
		t.write(w, r, exec.DispatchError(ctx, gqlerror.List{gqlerror.Errorf("could not read request body: %+v", err)}))
		return
	}

	var params graphql.RawParams
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	err = dec.Decode(&params)
	if err == nil {
		err = endOfBody(dec)
	}
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		gqlErr := gqlerror.Errorf("json request body could not be decoded: %+v body:%s", err, body)
		t.write(w, r, exec.DispatchError(ctx, gqlerror.List{gqlErr}))
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}

	opCtx, opErr := exec.CreateOperationContext(ctx, &params)
	if opErr != nil {
		w.WriteHeader(statusOf(opErr, contentType))
		t.write(w, r, exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), opErr))
		return
	}

	responses, ctx := exec.DispatchOperation(ctx, opCtx)
	t.write(w, r, responses(ctx))
}

// endOfBody returns an error unless only white space follows the JSON value dec has decoded.
// Decode stops after the first value, and gqlgen's transport would run it and ignore the rest.
func endOfBody(dec *json.Decoder) error {
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("unexpected data after the top-level value")
	}
	return nil
}

// write writes resp, or a 500 with INTERNAL_SERVER_ERROR when resp cannot be encoded.
func (t postTransport) write(w http.ResponseWriter, r *http.Request, resp *graphql.Response) {
	b, err := encodeResponse(resp)
	if err != nil {
		t.log.Error("encoding GraphQL response failed", "request_id", edge.RequestIDFrom(r.Context()), "error", err)
		w.Header().Set("Content-Length", strconv.Itoa(len(internalErrorBody)))
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, internalErrorBody)
		return
	}

	// With its length known, the response is sent whole rather than chunked, and the client
	// has all of it when the last byte is written. A chunked response would end only when
	// the handlers around this one (the access log, the metrics) have returned.
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Write(b)
}

// responseMediaType picks the response's media type from the request's Accept header as
// transport.POST does: application/json for a client that accepts it or names no type, and
// application/graphql-response+json otherwise.
func responseMediaType(accept string) string {
	if accept == "" {
		return mediaJSON
	}
	for part := range strings.SplitSeq(accept, ",") {
		mediaType, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mediaType {
		case "*/*", "application/*", mediaJSON:
			return mediaJSON
		case mediaGraphQLResponse:
			return mediaGraphQLResponse
		}
	}
	return mediaGraphQLResponse
}

// statusOf returns the HTTP status of a request whose operation could not start: for a
// protocol error (a document that does not parse or validate), 422 with application/json
// and 400 with application/graphql-response+json; 200 otherwise.
func statusOf(errs gqlerror.List, contentType string) int {
	if errcode.GetErrorKind(errs) != errcode.KindProtocol {
		return http.StatusOK
	}
	if contentType == mediaGraphQLResponse {
		return http.StatusBadRequest
	}
	return http.StatusUnprocessableEntity
}

// encodeResponse returns resp as JSON in the field order of graphql.Response, with its data
// as the executor produced it. A response with the fields of incremental delivery (label,
// path, hasNext), which the POST transport does not send, goes through json.Marshal.
func encodeResponse(resp *graphql.Response) ([]byte, error) {
	if resp.Label != "" || resp.Path != nil || resp.HasNext != nil {
		return json.Marshal(resp)
	}

	var b bytes.Buffer
	b.Grow(len(resp.Data) + 64)
	b.WriteByte('{')
	if len(resp.Errors) > 0 {
		errs, err := json.Marshal(resp.Errors)
		if err != nil {
			return nil, err
		}
		b.WriteString(`"errors":`)
		b.Write(errs)
		b.WriteByte(',')
	}
	b.WriteString(`"data":`)
	if len(resp.Data) == 0 {
		b.WriteString("null")
	} else {
		b.Write(resp.Data)
	}
	if len(resp.Extensions) > 0 {
		ext, err := json.Marshal(resp.Extensions)
		if err != nil {
			return nil, err
		}
		b.WriteString(`,"extensions":`)
		b.Write(ext)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
