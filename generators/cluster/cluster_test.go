package cluster

import "testing"

func TestBackendProtocol(t *testing.T) {
	for port, want := range map[string]string{
		"http": "HTTP", "http-alt": "HTTP", "web": "HTTP",
		"https": "HTTPS", "https-admin": "HTTPS",
		"grpc": "GRPC", "grpcs": "GRPCS", "grpcs-api": "GRPCS",
	} {
		if got := backendProtocol(port); got != want {
			t.Errorf("backendProtocol(%q) = %q, want %q", port, got, want)
		}
	}
}
