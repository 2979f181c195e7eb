package resolvers

import (
	"encoding/json"
	"errors"
	"math"
	"testing"
	"time"

	"customer-gateway/upstream"
)

func TestGraphQLIntRange(t *testing.T) {
	tests := []struct {
		name string
		n    upstream.Int
		min  int64
		ok   bool
	}{
		{"zero", 0, 0, true},
		{"max-int32", math.MaxInt32, 0, true},
		{"min-int32", math.MinInt32, math.MinInt32, true},
		{"negative-count", -1, 0, false},
		{"version-zero", 0, 1, false},
		{"above-int32", math.MaxInt32 + 1, 0, false},
		{"two-to-the-40", 1 << 40, 0, false},
		{"max-int64", math.MaxInt64, 1, false},
		{"below-int32", math.MinInt32 - 1, math.MinInt32, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := graphQLInt(tt.n, tt.min, "order list", "", "total count")
			if !tt.ok {
				if !errors.Is(err, upstream.ErrFault) {
					t.Errorf("error = %v, want the ErrFault category", err)
				}
				return
			}
			if err != nil || int64(got) != int64(tt.n) {
				t.Errorf("graphQLInt(%d) = %d, %v", tt.n, got, err)
			}
		})
	}
}

func TestInstantYearRange(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		value string // as the back office writes it
		loc   *time.Location
		want  string // RFC 3339, "never", or "fault"
	}{
		{"wall-clock", `"2024-03-05 14:22:10"`, berlin, "2024-03-05T14:22:10+01:00"},
		{"never", `"0000-00-00 00:00:00"`, berlin, "never"},
		{"last-second", `"9999-12-31 23:59:59"`, time.UTC, "9999-12-31T23:59:59Z"},
		{"unix", `1709644930`, time.UTC, "2024-03-05T13:22:10Z"},
		{"unix-last-second", `253402300799`, time.UTC, "9999-12-31T23:59:59Z"},
		{"unix-year-10000", `253402300800`, time.UTC, "fault"},
		{"unix-year-10000-in-berlin", `253402300799`, berlin, "fault"},
		{"unix-year-3170843", `99999999999999`, berlin, "fault"},
		{"go-zero-time", `"0001-01-01 00:00:00"`, time.UTC, "fault"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var lt upstream.LocalTime
			if err := json.Unmarshal([]byte(tt.value), &lt); err != nil {
				t.Fatal(err)
			}
			at, set, err := instant(lt, tt.loc, "invoice", "91", "payment date")
			switch {
			case tt.want == "fault":
				if !errors.Is(err, upstream.ErrFault) {
					t.Errorf("instant = %v, %v, %v, want the ErrFault category", at, set, err)
				}
			case err != nil:
				t.Errorf("error = %v", err)
			case tt.want == "never":
				if set {
					t.Errorf("instant = %v, want never", at)
				}
			case !set || at.Format(time.RFC3339Nano) != tt.want:
				t.Errorf("instant = %v (set %v), want %s", at.Format(time.RFC3339Nano), set, tt.want)
			}
		})
	}
}

func TestToProfileVersion(t *testing.T) {
	for _, v := range []upstream.Int{0, -1, math.MaxInt32 + 1, math.MaxInt64} {
		if _, err := toProfile(&upstream.Profile{ID: "7", Version: v}); !errors.Is(err, upstream.ErrFault) {
			t.Errorf("version %d: error = %v, want the ErrFault category", v, err)
		}
	}
	p, err := toProfile(&upstream.Profile{ID: "7", Version: 3})
	if err != nil || p.Version != 3 {
		t.Errorf("version 3: %+v, %v", p, err)
	}
	if got := staleProfile(&upstream.Profile{ID: "7", Version: math.MaxInt64}); got != errUnavailable {
		t.Errorf("stale profile with version 2^63-1 = %+v, want errUnavailable", got)
	}
}
