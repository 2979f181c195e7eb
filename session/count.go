package session

import (
	"os"
	"strings"
	"time"
)

// filePrefix starts the name of each session file of gorilla/sessions' filesystem store
// (v1.4.0).
const filePrefix = "session_"

// CountActive returns how many sessions in the store have not expired: the session files
// written within the absolute lifetime. A logout deletes its file, so ended sessions are not
// counted; an expired file stays on disk until something removes it, but is not counted.
// It reads the whole folder, so call it at scrape intervals, not per request.
func (m *Manager) CountActive() (int, error) {
	entries, err := os.ReadDir(m.dir)
	if err != nil {
		return 0, err
	}
	cutoff := time.Now().Add(-m.maxAge)
	n := 0
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), filePrefix) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			// Deleted by a logout between the listing and now.
			continue
		}
		if info.ModTime().After(cutoff) {
			n++
		}
	}
	return n, nil
}
