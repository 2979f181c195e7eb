package telemetry

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"
)

// Check is one readiness condition.
type Check struct {
	// Name labels the check in the /readyz response and the log, such as "upstream".
	Name string
	// Run returns nil when the condition holds. Its context ends after the check's timeout.
	Run func(ctx context.Context) error
}

// Ready returns the /readyz handler: 200 when every check passes, 503 otherwise, with a JSON
// body naming each check's result. Checks run one after another, each within timeout, and the
// cause of a failure goes to log, not into the response.
func Ready(log *slog.Logger, timeout time.Duration, checks []Check) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status := http.StatusOK
		results := map[string]string{}
		for _, c := range checks {
			ctx, cancel := context.WithTimeout(r.Context(), timeout)
			err := c.Run(ctx)
			cancel()
			if err != nil {
				status = http.StatusServiceUnavailable
				results[c.Name] = "failed"
				log.Warn("readiness check failed", "check", c.Name, "error", err)
				continue
			}
			results[c.Name] = "ok"
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]any{"ready": status == http.StatusOK, "checks": results})
	})
}
