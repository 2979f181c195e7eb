package main

import (
	"io"
	"strings"
	"testing"
)

func TestConfigRefusalSettings(t *testing.T) {
	base := map[string]string{
		"GATEWAY_ENV":       "production",
		"UPSTREAM_URL":      "http://127.0.0.1:8081/apis/",
		"UPSTREAM_API_KEY":  frontKey,
		"ALLOWED_ORIGINS":   "http://127.0.0.1:8080",
		"SESSION_KEYS":      "c2Vzc2lvbi1rZXktZm9yLXRlc3RzLW9ubHktMzItYnl0ZXMhIQ==",
		"SESSION_DIR":       "/nonexistent-never-created",
		"TRUSTED_DOCUMENTS": "web-example/site/operations/manifest.json",
	}
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{"defaults", nil, ""},
		{"production-without-manifest", map[string]string{"TRUSTED_DOCUMENTS": ""}, "TRUSTED_DOCUMENTS is missing"},
		{"production-with-site-manifest", map[string]string{"TRUSTED_DOCUMENTS": "", "SITE_DIR": "web-example/site"}, ""},
		{"development-without-manifest", map[string]string{"TRUSTED_DOCUMENTS": "", "GATEWAY_ENV": "development"}, ""},
		{"manifest-not-json", map[string]string{"TRUSTED_DOCUMENTS": "README.md"}, "TRUSTED_DOCUMENTS is invalid"},
		{"depth-not-a-number", map[string]string{"MAX_DEPTH": "deep"}, "MAX_DEPTH"},
		{"complexity-zero", map[string]string{"MAX_COMPLEXITY": "0"}, "MAX_COMPLEXITY must be at least 1"},
		{"burst-below-complexity", map[string]string{"COST_BURST": "100"}, "COST_BURST (100) must be at least MAX_COMPLEXITY"},
		{"idle-timeout-not-a-duration", map[string]string{"SESSION_IDLE_TIMEOUT": "half an hour"}, "SESSION_IDLE_TIMEOUT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range base {
				t.Setenv(k, v)
			}
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			_, err := loadConfig(nil, io.Discard)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("err = %v, want none", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("err = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
