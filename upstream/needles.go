package upstream

import (
	"bytes"
	"encoding/binary"
)

// gramStride is the step, in bytes, at which needleSet reads the text, and gramBytes the length
// of the gram it reads there. A needle of at least gramStride+gramBytes-1 bytes covers a whole
// gram at one of those steps, at an offset below gramStride.
const (
	gramStride = 4
	gramBytes  = 4
	minIndexed = gramStride + gramBytes - 1
)

// needleSet finds whether a text contains any of many needles in one pass over the text. It
// reads the 4-byte gram at every 4th byte of the text and looks it up in a bitmap of the grams
// at offsets 0 to 3 of every needle. Only a gram in the bitmap leads to comparing needles.
// Needles shorter than minIndexed bytes are searched with bytes.Index.
type needleSet struct {
	needles [][]byte
	seen    map[string]bool
	short   [][]byte
	bitmap  [1 << 16 / 64]uint64    // bit gramHash(g) is set for every indexed gram g
	grams   map[uint32][]needleGram // the needles that contain each gram, and where
}

// needleGram is a needle and the offset of a gram in it.
type needleGram struct {
	needle int
	offset int
}

// add adds needle to s unless s already contains it.
func (s *needleSet) add(needle []byte) {
	if s.seen[string(needle)] {
		return
	}
	if s.seen == nil {
		s.seen = map[string]bool{}
		s.grams = map[uint32][]needleGram{}
	}
	s.seen[string(needle)] = true
	if len(needle) < minIndexed {
		s.short = append(s.short, needle)
		return
	}
	s.needles = append(s.needles, needle)
	for offset := 0; offset < gramStride; offset++ {
		g := binary.LittleEndian.Uint32(needle[offset:])
		h := gramHash(g)
		s.bitmap[h/64] |= 1 << (h % 64)
		s.grams[g] = append(s.grams[g], needleGram{needle: len(s.needles) - 1, offset: offset})
	}
}

// foundIn reports whether text contains any needle of s.
func (s *needleSet) foundIn(text []byte) bool {
	for _, needle := range s.short {
		if bytes.Contains(text, needle) {
			return true
		}
	}
	for q := 0; q+gramBytes <= len(text); q += gramStride {
		g := binary.LittleEndian.Uint32(text[q:])
		h := gramHash(g)
		if s.bitmap[h/64]&(1<<(h%64)) == 0 {
			continue
		}
		for _, ref := range s.grams[g] {
			start := q - ref.offset
			if start >= 0 && bytes.HasPrefix(text[start:], s.needles[ref.needle]) {
				return true
			}
		}
	}
	return false
}

// gramHash returns a 16-bit hash of g (Fibonacci hashing).
func gramHash(g uint32) uint32 {
	return (g * 0x9E3779B1) >> 16
}
