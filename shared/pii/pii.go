// Package pii protects customers' personal data at rest: phone numbers are stored encrypted
// (AES-256-GCM) for display to the few roles allowed to see them, with an HMAC beside them so
// staff can still find a customer by exact number without the database ever holding it in clear.
package pii

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

// Box encrypts and fingerprints personal data with keys derived from one secret.
type Box struct {
	aead   cipher.AEAD
	macKey []byte
}

// New derives the encryption and fingerprint keys from secret (at least 32 bytes).
func New(secret []byte) (*Box, error) {
	if len(secret) < 32 {
		return nil, errors.New("pii: the secret must have at least 32 bytes")
	}
	derive := func(label string) []byte {
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(label))
		return m.Sum(nil)
	}
	block, err := aes.NewCipher(derive("jianbao pii encryption v1"))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead, macKey: derive("jianbao pii fingerprint v1")}, nil
}

// Seal encrypts plaintext; the nonce travels in front of the ciphertext.
func (b *Box) Seal(plaintext string) []byte {
	nonce := make([]byte, b.aead.NonceSize())
	rand.Read(nonce)
	return b.aead.Seal(nonce, nonce, []byte(plaintext), nil)
}

// Open decrypts what Seal produced.
func (b *Box) Open(sealed []byte) (string, error) {
	n := b.aead.NonceSize()
	if len(sealed) < n {
		return "", errors.New("pii: ciphertext too short")
	}
	p, err := b.aead.Open(nil, sealed[:n], sealed[n:], nil)
	if err != nil {
		return "", fmt.Errorf("pii: %w", err)
	}
	return string(p), nil
}

// Fingerprint is a keyed hash for exact-match search.
func (b *Box) Fingerprint(value string) string {
	m := hmac.New(sha256.New, b.macKey)
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil))
}
