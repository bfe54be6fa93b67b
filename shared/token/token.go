// Package token issues and checks the short-lived access tokens (JWT, HS256, golang-jwt) that the
// admin frontend sends as a bearer token.
package token

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/jianbao/admin/shared/appraisal"
)

const issuer = "jianbao-admin"

// Claims is what an access token says about its bearer.
type Claims struct {
	UserID    int64
	Role      appraisal.RoleID
	SessionID string
	ExpiresAt time.Time
}

type jwtClaims struct {
	Role      int    `json:"role"`
	SessionID string `json:"sid,omitempty"`
	jwt.RegisteredClaims
}

// Issuer signs and verifies access tokens with one HMAC secret.
type Issuer struct {
	secret []byte
	ttl    time.Duration
	now    func() time.Time

	// verified remembers the claims of tokens whose signature checked out: a client sends the
	// same token for up to its whole life, and decoding and checking it is a tenth of a cached
	// read. The token's bytes are the key, so only the very token that was verified hits;
	// expiry is still checked on every use.
	mu       sync.Mutex
	verified map[string]Claims
}

// verifiedSize bounds Issuer.verified: far more than the live tokens of 50 staff.
const verifiedSize = 4096

// NewIssuer returns an issuer whose tokens live for ttl.
func NewIssuer(secret []byte, ttl time.Duration) *Issuer {
	return &Issuer{secret: secret, ttl: ttl, now: time.Now, verified: map[string]Claims{}}
}

// TTL is how long issued tokens live.
func (i *Issuer) TTL() time.Duration { return i.ttl }

// Issue signs a token for the claims; ExpiresAt is set from the TTL.
func (i *Issuer) Issue(c Claims) (string, Claims, error) {
	now := i.now()
	c.ExpiresAt = now.Add(i.ttl).Truncate(time.Second)
	jti := make([]byte, 8)
	rand.Read(jti)
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, jwtClaims{
		Role: int(c.Role), SessionID: c.SessionID,
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: issuer, Subject: strconv.FormatInt(c.UserID, 10), ID: hex.EncodeToString(jti),
			IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(c.ExpiresAt),
		},
	})
	s, err := t.SignedString(i.secret)
	return s, c, err
}

// ErrInvalid covers every way a token can be bad; the client learns only that it must log in.
var ErrInvalid = appraisal.E(appraisal.KindUnauthorized, "auth.token_invalid", "the access token is missing, expired or invalid")

// Verify checks the signature, algorithm, issuer and expiry of s and returns its claims.
func (i *Issuer) Verify(s string) (Claims, error) {
	i.mu.Lock()
	c, ok := i.verified[s]
	i.mu.Unlock()
	if ok {
		if !i.now().After(c.ExpiresAt.Add(leeway)) {
			return c, nil
		}
		i.mu.Lock()
		delete(i.verified, s)
		i.mu.Unlock()
	}
	c, err := i.verify(s)
	if err == nil {
		i.mu.Lock()
		if len(i.verified) >= verifiedSize {
			clear(i.verified) // the live ones come straight back
		}
		i.verified[s] = c
		i.mu.Unlock()
	}
	return c, err
}

// leeway is the clock skew allowed on a token's expiry.
const leeway = 5 * time.Second

func (i *Issuer) verify(s string) (Claims, error) {
	var jc jwtClaims
	_, err := jwt.ParseWithClaims(s, &jc, func(*jwt.Token) (any, error) { return i.secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithIssuer(issuer),
		jwt.WithExpirationRequired(), jwt.WithTimeFunc(i.now), jwt.WithLeeway(leeway))
	if err != nil {
		return Claims{}, &appraisal.Error{Kind: ErrInvalid.Kind, Code: ErrInvalid.Code, Message: ErrInvalid.Message, Err: err}
	}
	uid, err := strconv.ParseInt(jc.Subject, 10, 64)
	if err != nil || uid <= 0 {
		return Claims{}, &appraisal.Error{Kind: ErrInvalid.Kind, Code: ErrInvalid.Code, Message: ErrInvalid.Message, Err: errors.New("bad subject")}
	}
	return Claims{UserID: uid, Role: appraisal.RoleID(jc.Role), SessionID: jc.SessionID, ExpiresAt: jc.ExpiresAt.Time}, nil
}

// FormatID renders an id as clients see it.
func FormatID(id int64) string { return strconv.FormatInt(id, 10) }
