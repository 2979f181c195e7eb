package upstream

import (
	"strings"
	"testing"
)

// TestNeedleSetEveryOffset puts each needle at every alignment to the gram stride, at the start
// and at the end of the text, since the set reads only every 4th byte.
func TestNeedleSetEveryOffset(t *testing.T) {
	var s needleSet
	needles := []string{"abcdefg", "SECRET\\/KEY", "%2Fkey%2B", "short"}
	for _, n := range needles {
		s.add([]byte(n))
	}
	for _, n := range needles {
		for pad := 0; pad < 2*gramStride; pad++ {
			for _, text := range []string{strings.Repeat("x", pad) + n, strings.Repeat("x", pad) + n + "yyyy"} {
				if !s.foundIn([]byte(text)) {
					t.Errorf("foundIn(%q) = false, want true", text)
				}
			}
		}
	}
	for _, text := range []string{"", "abcdef", "xbcdefgx", "SECRET\\/KE", "shor"} {
		if s.foundIn([]byte(text)) {
			t.Errorf("foundIn(%q) = true, want false", text)
		}
	}
}
