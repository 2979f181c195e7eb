package main

import (
	"fmt"
	"log/slog"
	"runtime/debug"
	"strconv"
)

// Garbage collector defaults for when the environment sets neither GOGC nor GOMEMLIMIT. A
// page allocates about a megabyte and keeps almost none of it, so Go's own GOGC=100 collects
// every few pages. A growth target of 400 trades memory for that CPU, and the soft limit keeps
// memory bounded while many connections wait for an execution slot.
const (
	defaultGCPercent = 400
	// baseMemoryLimit covers the process and its waiting connections, and each MAX_INFLIGHT
	// slot adds memoryPerSlot for a page in execution.
	baseMemoryLimit = 64 << 20
	memoryPerSlot   = 1 << 20
)

// gcSettings are the collector settings the gateway applies. A zero field leaves the
// environment's value in place.
type gcSettings struct {
	Percent     int
	MemoryLimit int64
}

// gcDefaults returns the settings to apply for a gateway with maxInFlight execution slots,
// leaving out each one that getenv shows the operator has set.
func gcDefaults(getenv func(string) string, maxInFlight int) gcSettings {
	var s gcSettings
	if getenv("GOGC") == "" {
		s.Percent = defaultGCPercent
	}
	if getenv("GOMEMLIMIT") == "" {
		s.MemoryLimit = baseMemoryLimit + int64(maxInFlight)*memoryPerSlot
	}
	return s
}

// LogValue shows each setting as the gateway's default or as left to the environment.
func (s gcSettings) LogValue() slog.Value {
	percent, limit := slog.StringValue("from GOGC"), slog.StringValue("from GOMEMLIMIT")
	if s.Percent != 0 {
		percent = slog.IntValue(s.Percent)
	}
	if s.MemoryLimit != 0 {
		limit = slog.Int64Value(s.MemoryLimit)
	}
	return slog.GroupValue(slog.Attr{Key: "gogc", Value: percent}, slog.Attr{Key: "memory_limit_bytes", Value: limit})
}

// checkGOGC returns an error for a GOGC value that Go would not apply as written. Go 1.26's
// readGOGC (runtime/mgcpacer.go) applies "off" or a base-10 integer that fits in 32 bits and
// runs with 100 for anything else, so the check parses the same way. A negative value turns
// the collector off, so it is rejected in favour of the explicit "off".
func checkGOGC(value string) error {
	if value == "" || value == "off" {
		return nil
	}
	percent, err := strconv.ParseInt(value, 10, 32)
	if err != nil {
		return fmt.Errorf("GOGC=%q is invalid: use an integer percentage from 0 to 2147483647 such as 400, or off", value)
	}
	if percent < 0 {
		return fmt.Errorf("GOGC=%q is negative, which turns the garbage collector off: use off to mean that, or a percentage such as 400", value)
	}
	return nil
}

// tuneGC applies s to the running process.
func tuneGC(s gcSettings) {
	if s.Percent != 0 {
		debug.SetGCPercent(s.Percent)
	}
	if s.MemoryLimit != 0 {
		debug.SetMemoryLimit(s.MemoryLimit)
	}
}
