package upstream

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strconv"
	"sync"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// This file is the fast path of DecodeResponse. The exact path, decodeExact, scans a value
// again at each level of nesting and copies it on the way. encoding/json hands an UnmarshalJSON
// method the bytes of its value, and Map and List start a new json.Decoder for each element. Here one jsontext.Decoder checks the envelope, and the JSON v2 package
// decodes the payload in one more pass, handing its decoder down to Map and List. The
// strings of the decoded payload are slices of one copy of it, so a payload costs one string
// allocation rather than one per field. That copy stays in memory as long as any of its
// strings is referenced.
//
// decodeFast only reports success or failure. On failure DecodeResponse runs decodeExact,
// which produces every error. decodeFast may therefore give up on more bodies than
// decodeExact rejects (repeated names, invalid UTF-8), but it must never accept a body that
// decodeExact rejects, nor decode one to a different value. FuzzDecodeFast compares the two.

// payloadOptions make the JSON v2 package decode as encoding/json does, through its v1 mode
// (names matched without regard to case, the v1 merge rules). Three options differ from v1:
// decoding stops at the first error, without validating the whole value first, and repeated
// names and invalid UTF-8 are errors, so that such payloads go to the exact path.
var payloadOptions = jsonv2.JoinOptions(
	jsonv1.DefaultOptionsV1(),
	jsonv1.ReportErrorsWithLegacySemantics(false),
	jsontext.AllowDuplicateNames(false),
	jsontext.AllowInvalidUTF8(false),
)

// envelopeOptions let a repeated envelope member replace the earlier one, as it does in the
// exact path's map.
var envelopeOptions = jsontext.AllowDuplicateNames(true)

// errNotFast is the error of a value that the fast path leaves to the exact path.
var errNotFast = errors.New("value left to the exact decoder")

// decodeFast decodes a successful response and reports whether it did. It stores the payload
// only on success. When it returns false, DecodeResponse must take the exact path.
func decodeFast(status int, body []byte, payload any) bool {
	if status < 200 || status > 299 {
		return false
	}
	text := trimLeading(body)
	if len(text) == 0 || text[0] != '{' {
		return false
	}

	fd := fastDecoders.Get().(*fastDecoder)
	defer fd.release()

	envelope, ok := fd.readEnvelope(text)
	if !ok || failureOf(status, envelope, nil) != nil {
		return false
	}
	raw, ok := envelope["data"]
	if !ok {
		raw, ok = envelope["result"]
	}
	if !ok {
		return false
	}

	if payload == nil {
		return true
	}
	target := reflect.ValueOf(payload)
	if target.Kind() != reflect.Pointer || target.IsNil() || !fastDecodable(target.Type().Elem()) {
		return false
	}
	fresh := reflect.New(target.Type().Elem())
	if !fd.decodePayload(raw, fresh.Interface()) {
		return false
	}
	target.Elem().Set(fresh.Elem())
	return true
}

// fastDecoder is the state of one decodeFast call. It is pooled, so that the buffers of its
// decoder and the type cache of its unmarshalers are reused.
type fastDecoder struct {
	dec   jsontext.Decoder
	input bytes.Buffer   // the bytes being decoded, read in place
	text  string         // the payload being decoded, which decoded strings are slices of
	opts  jsonv2.Options // payloadOptions and the unmarshalers that slice text
}

var fastDecoders = sync.Pool{New: func() any { return newFastDecoder() }}

func newFastDecoder() *fastDecoder {
	fd := &fastDecoder{}
	// The functions take concrete pointer types, because the JSON v2 package allocates to
	// pass a value as an interface.
	fd.opts = jsonv2.JoinOptions(payloadOptions, jsonv2.WithUnmarshalers(jsonv2.JoinUnmarshalers(
		jsonv2.UnmarshalFromFunc(func(dec *jsontext.Decoder, v *ID) error { return decodeScalar(fd, dec, v) }),
		jsonv2.UnmarshalFromFunc(func(dec *jsontext.Decoder, v *Int) error { return decodeScalar(fd, dec, v) }),
		jsonv2.UnmarshalFromFunc(func(dec *jsontext.Decoder, v *Bool) error { return decodeScalar(fd, dec, v) }),
		jsonv2.UnmarshalFromFunc(func(dec *jsontext.Decoder, v *String) error { return decodeScalar(fd, dec, v) }),
		jsonv2.UnmarshalFromFunc(func(dec *jsontext.Decoder, v *Decimal) error { return decodeScalar(fd, dec, v) }),
		jsonv2.UnmarshalFromFunc(func(dec *jsontext.Decoder, v *LocalTime) error { return decodeScalar(fd, dec, v) }),
	)))
	return fd
}

// reset points the decoder at data, which it reads without copying.
func (fd *fastDecoder) reset(data []byte, opts jsonv2.Options) {
	fd.input = *bytes.NewBuffer(data)
	fd.dec.Reset(&fd.input, opts)
}

// release returns fd to the pool, without references to the body it decoded.
func (fd *fastDecoder) release() {
	fd.text = ""
	fd.reset(nil, fd.opts)
	fastDecoders.Put(fd)
}

// readEnvelope reads the JSON object text, which must be followed by nothing but leadingSpace,
// into its members. The values are slices of text.
func (fd *fastDecoder) readEnvelope(text []byte) (map[string]json.RawMessage, bool) {
	fd.reset(text, envelopeOptions)
	dec := &fd.dec
	if token, err := dec.ReadToken(); err != nil || token.Kind() != '{' {
		return nil, false
	}

	envelope := make(map[string]json.RawMessage, 4)
	for dec.PeekKind() != '}' {
		// A Token is only valid until the next read, so the name is copied out first.
		token, err := dec.ReadToken()
		if err != nil {
			return nil, false
		}
		name := token.String()
		value, err := dec.ReadValue()
		if err != nil {
			return nil, false
		}
		// A value returned by ReadValue is also only valid until the next read, so the
		// member is the same bytes taken from text.
		end := int(dec.InputOffset())
		envelope[name] = json.RawMessage(text[end-len(value) : end : end])
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil, false
	}

	if len(bytes.Trim(text[dec.InputOffset():], leadingSpace)) > 0 {
		return nil, false
	}
	return envelope, true
}

// decodePayload decodes raw into out, a pointer to a zero value, and reports whether it did.
func (fd *fastDecoder) decodePayload(raw []byte, out any) bool {
	fd.text = string(raw)
	fd.reset(raw, fd.opts)
	return jsonv2.UnmarshalDecode(&fd.dec, out) == nil
}

// source returns value, which dec has just read, as a slice of fd.text, or "" when it is not
// found there.
func (fd *fastDecoder) source(dec *jsontext.Decoder, value []byte) string {
	end := int(dec.InputOffset())
	start := end - len(value)
	if start < 0 || end > len(fd.text) || fd.text[start:end] != string(value) {
		return ""
	}
	return fd.text[start:end]
}

// readName reads an object member's name.
func readName(dec *jsontext.Decoder) (string, error) {
	token, err := dec.ReadToken()
	if err != nil {
		return "", err
	}
	return token.String(), nil
}

// phpScalar is implemented by the scalar types of phpjson.go.
type phpScalar interface {
	setScalar(v scalar) error
}

// decodeScalar decodes one of the scalar types of phpjson.go as its UnmarshalJSON method
// does, with the text taken from fd.text instead of copied.
func decodeScalar[T phpScalar](fd *fastDecoder, dec *jsontext.Decoder, v T) error {
	// encoding/json calls no UnmarshalJSON method for a map key, so neither does this.
	if kind, length := dec.StackIndex(dec.StackDepth()); kind == '{' && length%2 == 0 {
		return jsonv2.SkipFunc
	}
	value, err := dec.ReadValue()
	if err != nil {
		return err
	}
	s, err := readScalarIn(value, fd.source(dec, value))
	if err != nil {
		return err
	}
	return v.setScalar(s)
}

// NOTE: built with GOEXPERIMENT=jsonv2, the JSON v2 package is the standard library's, and
// encoding/json then calls the UnmarshalJSONFrom methods below in place of UnmarshalJSON, so
// its errors lose the path of the failing field. This package's tests fail in that build
// even without these methods.

// UnmarshalJSONFrom implements the UnmarshalerFrom interface of the JSON v2 package. It
// decodes the forms that UnmarshalJSON accepts into the same map, reading each element from
// dec once. Its errors carry no key, because DecodeResponse replaces them with the exact
// path's.
func (m *Map[V]) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	out := Map[V]{}
	// One value is reused for every element, so that each does not cost an allocation.
	var zero V
	v := new(V)

	switch dec.PeekKind() {
	case 'n', 'f':
		if _, err := dec.ReadToken(); err != nil {
			return err
		}

	case '[':
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
		for i := 0; dec.PeekKind() != ']'; i++ {
			*v = zero
			if err := jsonv2.UnmarshalDecode(dec, v); err != nil {
				return err
			}
			out[strconv.Itoa(i)] = *v
		}
		if _, err := dec.ReadToken(); err != nil {
			return err
		}

	case '{':
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
		for dec.PeekKind() != '}' {
			name, err := readName(dec)
			if err != nil {
				return err
			}
			*v = zero
			if err := jsonv2.UnmarshalDecode(dec, v); err != nil {
				return err
			}
			out[name] = *v
		}
		if _, err := dec.ReadToken(); err != nil {
			return err
		}

	default:
		return errNotFast
	}

	*m = out
	return nil
}

// UnmarshalJSONFrom implements the UnmarshalerFrom interface of the JSON v2 package. It
// decodes the forms that UnmarshalJSON accepts into the same list, reading each element from
// dec once. Its errors carry no index, because DecodeResponse replaces them with the exact
// path's.
func (l *List[T]) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	out := List[T]{}
	switch dec.PeekKind() {
	case 'n', 'f':
		if _, err := dec.ReadToken(); err != nil {
			return err
		}

	case '[':
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
		for dec.PeekKind() != ']' {
			var zero T
			out = append(out, zero)
			if err := jsonv2.UnmarshalDecode(dec, &out[len(out)-1]); err != nil {
				return err
			}
		}
		if _, err := dec.ReadToken(); err != nil {
			return err
		}

	case '{':
		values, err := readListObject[T](dec)
		if err != nil {
			return err
		}
		out = values

	default:
		return errNotFast
	}

	*l = out
	return nil
}

// readListObject reads a PHP list with gaps, an object keyed by index, and returns its values
// in ascending index order. A repeated key is left to UnmarshalJSON, which rejects it.
func readListObject[T any](dec *jsontext.Decoder) (List[T], error) {
	type member struct {
		index int64
		value T
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil, err
	}

	var members []member
	var position map[int64]int
	for dec.PeekKind() != '}' {
		name, err := readName(dec)
		if err != nil {
			return nil, err
		}
		index, ok := listIndex(name)
		if !ok {
			return nil, errNotFast
		}
		var value T
		if err := jsonv2.UnmarshalDecode(dec, &value); err != nil {
			return nil, err
		}

		if _, seen := position[index]; seen {
			return nil, errNotFast
		}
		if position == nil {
			position = map[int64]int{}
		}
		position[index] = len(members)
		members = append(members, member{index: index, value: value})
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil, err
	}

	slices.SortFunc(members, func(a, b member) int { return cmp.Compare(a.index, b.index) })
	out := make(List[T], len(members))
	for i, m := range members {
		out[i] = m.value
	}
	return out, nil
}

// fastDecodableTypes caches fastDecodable per payload type.
var fastDecodableTypes sync.Map // reflect.Type to bool

// jsonNumberType is encoding/json's Number.
var jsonNumberType = reflect.TypeFor[json.Number]()

// fastDecodable reports whether decodeFast can decode into t exactly as encoding/json does.
// It cannot when t contains an interface or a json.Number. With UseNumber, encoding/json
// stores numbers in interfaces as json.Number and checks that a json.Number string holds a
// number, while the v1 mode of the JSON v2 package has its own Number type and does neither.
func fastDecodable(t reflect.Type) bool {
	if ok, found := fastDecodableTypes.Load(t); found {
		return ok.(bool)
	}
	ok := containsNoInterface(t, map[reflect.Type]bool{})
	fastDecodableTypes.Store(t, ok)
	return ok
}

// containsNoInterface reports whether neither t nor any type it is built from is an interface
// or a json.Number. seen holds the types already visited, so that recursive types end.
func containsNoInterface(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return true
	}
	seen[t] = true
	if t == jsonNumberType {
		return false
	}

	switch t.Kind() {
	case reflect.Interface:
		return false
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return containsNoInterface(t.Elem(), seen)
	case reflect.Map:
		return containsNoInterface(t.Key(), seen) && containsNoInterface(t.Elem(), seen)
	case reflect.Struct:
		for i := range t.NumField() {
			if !containsNoInterface(t.Field(i).Type, seen) {
				return false
			}
		}
	}
	return true
}
