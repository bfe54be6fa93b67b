package orders

import (
	"strings"
	"testing"
)

func TestVerifyTokens(t *testing.T) {
	a, b := NewVerifyToken(), NewVerifyToken()
	if a == b || !ValidVerifyToken(a) || len(a) != 43 {
		t.Fatalf("tokens %q %q", a, b)
	}
	for _, bad := range []string{"", "short", strings.Repeat("!", 43), a + "x"} {
		if ValidVerifyToken(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}
