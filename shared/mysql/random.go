package mysql

import (
	"crypto/rand"
	"encoding/hex"
)

// randomToken is a placeholder value unique enough to sit in a UNIQUE column for the moment
// between an INSERT and the UPDATE that sets the real, id-derived value.
func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)[:n]
}
