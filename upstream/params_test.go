package upstream

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestParamsEncode(t *testing.T) {
	cases := []struct {
		name      string
		build     func(p *Params)
		want      string
		wantLen   int
		wantQuery url.Values // what url.ParseQuery reads back, as PHP would see the names
	}{
		{
			name:      "empty",
			build:     func(*Params) {},
			want:      "",
			wantLen:   0,
			wantQuery: url.Values{},
		},
		{
			name: "insertion-order",
			build: func(p *Params) {
				p.Set("req", "get")
				p.SetInt("customer_id", 7)
				p.SetList("ids", []string{"12", "9007199254740993"})
			},
			want:    "req=get&customer_id=7&ids%5B%5D=12&ids%5B%5D=9007199254740993",
			wantLen: 4,
			wantQuery: url.Values{
				"req": {"get"}, "customer_id": {"7"}, "ids[]": {"12", "9007199254740993"},
			},
		},
		{
			name: "set-again-replaces-in-place",
			build: func(p *Params) {
				p.Set("q", "mug")
				p.SetInt("limit", 20)
				p.Set("q", "cup")
			},
			want:      "q=cup&limit=20",
			wantLen:   2,
			wantQuery: url.Values{"q": {"cup"}, "limit": {"20"}},
		},
		{
			name: "list-set-again-replaces",
			build: func(p *Params) {
				p.SetList("order_ids", []string{"1", "2", "3"})
				p.SetList("order_ids", []string{"4"})
			},
			want:      "order_ids%5B%5D=4",
			wantLen:   1,
			wantQuery: url.Values{"order_ids[]": {"4"}},
		},
		{
			name: "empty-list-sends-nothing",
			build: func(p *Params) {
				p.SetList("ids", nil)
				p.Set("req", "get")
				p.SetList("order_ids", []string{})
			},
			want:      "req=get",
			wantLen:   1,
			wantQuery: url.Values{"req": {"get"}},
		},
		{
			name: "booleans",
			build: func(p *Params) {
				p.SetBool("active", true)
				p.SetBool("archived", false)
			},
			want:      "active=1&archived=0",
			wantLen:   2,
			wantQuery: url.Values{"active": {"1"}, "archived": {"0"}},
		},
		{
			name: "negative-int",
			build: func(p *Params) {
				p.SetInt("offset", -20)
			},
			want:      "offset=-20",
			wantLen:   1,
			wantQuery: url.Values{"offset": {"-20"}},
		},
		{
			name: "values-escaped",
			build: func(p *Params) {
				p.Set("q", "a b+c&d=e")
				p.Set("email", "ann+shop@example.com")
				p.Set("name", "Müller/O'Reilly")
				p.SetList("tags", []string{"x&y", ""})
			},
			want:    "q=a+b%2Bc%26d%3De&email=ann%2Bshop%40example.com&name=M%C3%BCller%2FO%27Reilly&tags%5B%5D=x%26y&tags%5B%5D=",
			wantLen: 5,
			wantQuery: url.Values{
				"q": {"a b+c&d=e"}, "email": {"ann+shop@example.com"}, "name": {"Müller/O'Reilly"}, "tags[]": {"x&y", ""},
			},
		},
		{
			name: "empty-value-sent",
			build: func(p *Params) {
				p.Set("phone", "")
			},
			want:      "phone=",
			wantLen:   1,
			wantQuery: url.Values{"phone": {""}},
		},
		{
			name: "underscore-and-digit-names",
			build: func(p *Params) {
				p.Set("_token", "t")
				p.Set("line2", "x")
			},
			want:      "_token=t&line2=x",
			wantLen:   2,
			wantQuery: url.Values{"_token": {"t"}, "line2": {"x"}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var p Params
			tc.build(&p)

			got := p.Encode()
			if got != tc.want {
				t.Errorf("Encode() = %q, want %q", got, tc.want)
			}
			if n := p.Len(); n != tc.wantLen {
				t.Errorf("Len() = %d, want %d", n, tc.wantLen)
			}
			query, err := url.ParseQuery(got)
			if err != nil {
				t.Fatalf("url.ParseQuery(%q): %v", got, err)
			}
			if !reflect.DeepEqual(query, tc.wantQuery) {
				t.Errorf("url.ParseQuery(Encode()) = %v, want %v", query, tc.wantQuery)
			}
		})
	}
}

func TestParamsSetListCopiesValues(t *testing.T) {
	ids := []string{"1", "2"}
	var p Params
	p.SetList("ids", ids)
	ids[0] = "99"

	if got, want := p.Encode(), "ids%5B%5D=1&ids%5B%5D=2"; got != want {
		t.Errorf("Encode() = %q after changing the caller's slice, want %q", got, want)
	}
}

func TestParamsManyValues(t *testing.T) {
	ids := make([]string, 900)
	for i := range ids {
		ids[i] = "1"
	}
	var p Params
	p.Set("req", "get")
	p.SetList("ids", ids)

	if n := p.Len(); n != 901 {
		t.Errorf("Len() = %d, want 901", n)
	}
	query, err := url.ParseQuery(p.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if n := len(query["ids[]"]); n != 900 {
		t.Errorf("ids[] has %d values after a round trip, want 900", n)
	}
}

func TestParamsPanics(t *testing.T) {
	cases := []struct {
		name      string
		build     func(p *Params)
		wantPanic string
	}{
		{name: "dot-in-name", build: func(p *Params) { p.Set("a.b", "1") }, wantPanic: "invalid parameter name"},
		{name: "space-in-name", build: func(p *Params) { p.Set("c d", "1") }, wantPanic: "invalid parameter name"},
		{name: "brackets-in-name", build: func(p *Params) { p.Set("ids[]", "1") }, wantPanic: "invalid parameter name"},
		{name: "open-bracket-in-name", build: func(p *Params) { p.SetInt("x[", 1) }, wantPanic: "invalid parameter name"},
		{name: "leading-digit", build: func(p *Params) { p.SetBool("1a", true) }, wantPanic: "invalid parameter name"},
		{name: "empty-name", build: func(p *Params) { p.Set("", "1") }, wantPanic: "invalid parameter name"},
		{name: "non-ascii-name", build: func(p *Params) { p.Set("größe", "1") }, wantPanic: "invalid parameter name"},
		{name: "list-name-with-brackets", build: func(p *Params) { p.SetList("ids[]", []string{"1"}) }, wantPanic: "invalid parameter name"},
		{name: "empty-list-bad-name", build: func(p *Params) { p.SetList("a.b", nil) }, wantPanic: "invalid parameter name"},
		{name: "plain-then-list", build: func(p *Params) {
			p.Set("ids", "1")
			p.SetList("ids", []string{"2"})
		}, wantPanic: "both as a plain value and as a list"},
		{name: "list-then-plain", build: func(p *Params) {
			p.SetList("ids", []string{"2"})
			p.SetInt("ids", 1)
		}, wantPanic: "both as a plain value and as a list"},
		{name: "empty-list-then-plain", build: func(p *Params) {
			p.SetList("ids", nil)
			p.Set("ids", "1")
		}, wantPanic: "both as a plain value and as a list"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				message, _ := r.(string)
				if !strings.Contains(message, tc.wantPanic) {
					t.Errorf("panic value %v, want a message containing %q", r, tc.wantPanic)
				}
			}()
			var p Params
			tc.build(&p)
		})
	}
}
