package token

import (
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/jianbao/admin/shared/appraisal"
)

func TestIssueVerify(t *testing.T) {
	secret := []byte(strings.Repeat("k", 32))
	iss := NewIssuer(secret, 15*time.Minute)
	tok, c, err := iss.Issue(Claims{UserID: 42, Role: appraisal.RoleExpert, SessionID: "s1"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := iss.Verify(tok)
	if err != nil || got.UserID != 42 || got.Role != appraisal.RoleExpert || got.SessionID != "s1" || !got.ExpiresAt.Equal(c.ExpiresAt) {
		t.Fatalf("Verify = %+v, %v", got, err)
	}

	late := NewIssuer(secret, 15*time.Minute)
	late.now = func() time.Time { return time.Now().Add(16 * time.Minute) }
	other := NewIssuer([]byte(strings.Repeat("o", 32)), 15*time.Minute)
	none := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"sub": "42", "iss": issuer, "exp": time.Now().Add(time.Hour).Unix()})
	noneTok, _ := none.SignedString(jwt.UnsafeAllowNoneSignatureType)

	tests := []struct {
		name string
		iss  *Issuer
		tok  string
	}{
		{"expired", late, tok},
		{"other secret", other, tok},
		{"alg none", iss, noneTok},
		{"garbage", iss, "not.a.token"},
		{"empty", iss, ""},
		{"tampered", iss, tok[:len(tok)-2] + "xx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.iss.Verify(tt.tok); appraisal.KindOf(err) != appraisal.KindUnauthorized {
				t.Errorf("err = %v, want unauthorized", err)
			}
		})
	}
}

// TestVerifiedTokenStillExpires: a token remembered as verified is refused once it expires.
func TestVerifiedTokenStillExpires(t *testing.T) {
	iss := NewIssuer([]byte(strings.Repeat("k", 32)), 15*time.Minute)
	tok, _, err := iss.Issue(Claims{UserID: 7, SessionID: "s"})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if c, err := iss.Verify(tok); err != nil || c.UserID != 7 {
			t.Fatalf("Verify = %+v, %v", c, err)
		}
	}
	iss.now = func() time.Time { return time.Now().Add(16 * time.Minute) }
	if _, err := iss.Verify(tok); appraisal.KindOf(err) != appraisal.KindUnauthorized {
		t.Fatalf("an expired token that was verified before: %v", err)
	}
}
