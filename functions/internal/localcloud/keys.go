package localcloud

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"sync"
	"time"
)

// keyring holds the key pairs the cloud accepts: the account's root key, and the temporary keys
// it hands out (STS, and the run role's keys it gives each function invocation).
type keyring struct {
	mu   sync.Mutex
	keys map[string]key
}

type key struct {
	secret  string
	token   string    // temporary keys only
	expires time.Time // zero for the root key
	role    string    // the CAM role a temporary key acts as
}

func newKeyring(id, secret string) *keyring {
	return &keyring{keys: map[string]key{id: {secret: secret}}}
}

// SecretKey implements api.Keys: a temporary key must come with its token and before it expires.
func (k *keyring) SecretKey(id, token string) (string, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok := k.keys[id]
	if !ok || v.token != token || (!v.expires.IsZero() && time.Now().After(v.expires)) {
		return "", false
	}
	return v.secret, true
}

// temporary issues a key pair with a session token, acting as role, for d.
func (k *keyring) temporary(role string, d time.Duration) (id, secret, token string, expires time.Time) {
	id = "AKIDtmp" + randomHex(14)
	secret = randomBase64(30)
	token = randomBase64(60)
	expires = time.Now().Add(d)
	k.mu.Lock()
	k.keys[id] = key{secret: secret, token: token, expires: expires, role: role}
	k.mu.Unlock()
	return id, secret, token, expires
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func randomBase64(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)[:n]
}
