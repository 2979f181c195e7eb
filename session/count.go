package session

import (
	"context"
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
// It reads the whole folder, so call it at scrape intervals, not per request. With Redis it
// counts the session keys instead.
func (m *Manager) CountActive() (int, error) {
	if m.redis != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return countRedis(ctx, m.redis)
	}
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
