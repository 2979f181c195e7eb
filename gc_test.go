package main

import (
	"strings"
	"testing"
)

func TestGCDefaultsKeepTheOperatorsSettings(t *testing.T) {
	env := func(vars map[string]string) func(string) string {
		return func(name string) string { return vars[name] }
	}
	cases := []struct {
		name string
		env  map[string]string
		want gcSettings
	}{
		{"neither set", nil, gcSettings{Percent: 400, MemoryLimit: 80 << 20}},
		{"GOGC set", map[string]string{"GOGC": "100"}, gcSettings{MemoryLimit: 80 << 20}},
		{"GOGC off", map[string]string{"GOGC": "off"}, gcSettings{MemoryLimit: 80 << 20}},
		{"GOMEMLIMIT set", map[string]string{"GOMEMLIMIT": "1GiB"}, gcSettings{Percent: 400}},
		{"both set", map[string]string{"GOGC": "50", "GOMEMLIMIT": "1GiB"}, gcSettings{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := gcDefaults(env(c.env), 16); got != c.want {
				t.Errorf("gcDefaults = %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestGCMemoryLimitGrowsWithExecutionSlots(t *testing.T) {
	none := func(string) string { return "" }
	small, large := gcDefaults(none, 16), gcDefaults(none, 256)
	if got, want := large.MemoryLimit-small.MemoryLimit, int64(240)<<20; got != want {
		t.Errorf("240 more slots raised the limit by %d bytes, want %d", got, want)
	}
}

func TestCheckGOGC(t *testing.T) {
	for _, value := range []string{"", "off", "0", "100", "400", "+50", "050", "-0", "2147483647"} {
		if err := checkGOGC(value); err != nil {
			t.Errorf("GOGC=%q: %v, want no error", value, err)
		}
	}
	// Go's runtime ignores each of these and runs with 100.
	for _, value := range []string{"abc", "100%", "4e2", " 400", "OFF", "1_000", "2147483648", "99999999999"} {
		if err := checkGOGC(value); err == nil {
			t.Errorf("GOGC=%q: no error, want one", value)
		}
	}
}

func TestCheckGOGCRejectsNegative(t *testing.T) {
	for _, value := range []string{"-1", "-5", "-2147483648"} {
		err := checkGOGC(value)
		if err == nil {
			t.Errorf("GOGC=%q: no error, want one", value)
			continue
		}
		if !strings.Contains(err.Error(), "use off") {
			t.Errorf("GOGC=%q: error %q does not point to off", value, err)
		}
	}
}
