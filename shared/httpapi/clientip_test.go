package httpapi_test

import (
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/jianbao/admin/shared/httpapi"
)

func TestClientIP(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	tests := []struct {
		name, peer, xff, want string
	}{
		{"direct client: its header is ignored", "203.0.113.9:5000", "1.2.3.4", "203.0.113.9"},
		{"through the ingress", "10.1.2.3:80", "198.51.100.7", "198.51.100.7"},
		{"a forged hop left of the real one", "10.1.2.3:80", "1.2.3.4, 198.51.100.7", "198.51.100.7"},
		{"two proxies", "10.1.2.3:80", "198.51.100.7, 10.9.9.9", "198.51.100.7"},
		{"only proxies", "10.1.2.3:80", "10.9.9.9", "10.9.9.9"},
		{"garbage in the header", "10.1.2.3:80", "not-an-ip", "10.1.2.3"},
		{"no header", "10.1.2.3:80", "", "10.1.2.3"},
		{"IPv6 client", "10.1.2.3:80", "2001:db8::1", "2001:db8::1"},
		{"SCF: the gateway's source address, no port", "198.51.100.8:0", "1.2.3.4", "198.51.100.8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.peer
			if tt.xff != "" {
				r.Header.Set("X-Forwarded-For", tt.xff)
			}
			if got := httpapi.ClientIP(r, trusted); got != tt.want {
				t.Fatalf("ClientIP = %q, want %q", got, tt.want)
			}
		})
	}
}
