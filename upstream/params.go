package upstream

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Params is a form body for the back office. The zero value is empty and ready to use.
//
// It keeps names in the order they were first set, so the encoding is stable and can be
// signed byte for byte (url.Values would sort them). It never repeats a plain name, because
// PHP keeps only the last of repeated plain names. It sends lists as name[]=v1&name[]=v2,
// which PHP reads as an array. Callers leave absent values out, because Set with ""
// sends "name=".
//
// The Set methods panic on a name that PHP would rewrite or misread, and on a name used both
// as a plain name and as a list. Names are constants of the API files, so either is a
// programming error. A Params is not safe for concurrent use.
type Params struct {
	fields []paramField
}

// paramField is one name of a Params with its values.
type paramField struct {
	name   string
	list   bool     // sent as name[]=value for each value
	values []string // exactly one value for a plain name; any number, even none, for a list
}

// Set sets a plain value; setting a name again replaces it and keeps its position.
func (p *Params) Set(name, value string) {
	p.put(name, false, []string{value})
}

// SetInt sets a plain value in decimal.
func (p *Params) SetInt(name string, v int64) {
	p.put(name, false, []string{strconv.FormatInt(v, 10)})
}

// SetBool sets a plain value as "1" or "0", as PHP's http_build_query writes booleans.
func (p *Params) SetBool(name string, v bool) {
	value := "0"
	if v {
		value = "1"
	}
	p.put(name, false, []string{value})
}

// SetList sets a list, sent as name[]=v1&name[]=v2; an empty list sends nothing. Setting the
// name again replaces the whole list. The values are copied.
func (p *Params) SetList(name string, values []string) {
	p.put(name, true, append([]string(nil), values...))
}

// Len returns how many values the encoding holds, counting each list element, for checking
// a request against PHP's max_input_vars.
func (p *Params) Len() int {
	n := 0
	for _, f := range p.fields {
		n += len(f.values)
	}
	return n
}

// Encode returns the application/x-www-form-urlencoded body in the order the names were first
// set. Names and values are escaped as url.QueryEscape does, so a list name appears as
// name%5B%5D, which PHP decodes to name[].
func (p *Params) Encode() string {
	var b strings.Builder
	for _, f := range p.fields {
		key := url.QueryEscape(f.name)
		if f.list {
			key = url.QueryEscape(f.name + "[]")
		}
		for _, value := range f.values {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(key)
			b.WriteByte('=')
			b.WriteString(url.QueryEscape(value))
		}
	}
	return b.String()
}

// put stores a field, replacing an earlier one of the same name in place.
func (p *Params) put(name string, list bool, values []string) {
	if !validParamName(name) {
		panic(fmt.Sprintf("upstream: invalid parameter name %q: PHP needs a letter or underscore, then letters, digits or underscores", name))
	}
	for i := range p.fields {
		f := &p.fields[i]
		if f.name != name {
			continue
		}
		if f.list != list {
			panic(fmt.Sprintf("upstream: parameter %q set both as a plain value and as a list", name))
		}
		f.values = values
		return
	}
	p.fields = append(p.fields, paramField{name: name, list: list, values: values})
}

// validParamName reports whether name matches ^[A-Za-z_][A-Za-z0-9_]*$. PHP turns dots and
// spaces in names into underscores and reads brackets as array syntax, so such names would
// not arrive as sent.
func validParamName(name string) bool {
	if name == "" {
		return false
	}
	for i := range len(name) {
		c := name[i]
		switch {
		case c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && isDigit(c):
		default:
			return false
		}
	}
	return true
}
