// Package token issues and checks the short-lived access tokens (JWT, HS256, golang-jwt) that the
// admin frontend sends as a bearer token.
package token

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strconv"
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
}

// NewIssuer returns an issuer whose tokens live for ttl.
func NewIssuer(secret []byte, ttl time.Duration) *Issuer {
	return &Issuer{secret: secret, ttl: ttl, now: time.Now}
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
	var jc jwtClaims
	_, err := jwt.ParseWithClaims(s, &jc, func(*jwt.Token) (any, error) { return i.secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithIssuer(issuer),
		jwt.WithExpirationRequired(), jwt.WithTimeFunc(i.now), jwt.WithLeeway(5*time.Second))
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
