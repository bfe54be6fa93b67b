package pii

import (
	"bytes"
	"strings"
	"testing"
)

func TestBox(t *testing.T) {
	if _, err := New([]byte("short")); err == nil {
		t.Fatal("want an error for a short secret")
	}
	b, err := New([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	s1, s2 := b.Seal("13812345678"), b.Seal("13812345678")
	if bytes.Equal(s1, s2) || bytes.Contains(s1, []byte("13812345678")) {
		t.Fatal("ciphertexts must differ and hide the number")
	}
	if p, err := b.Open(s1); err != nil || p != "13812345678" {
		t.Fatalf("Open = %q, %v", p, err)
	}
	s1[len(s1)-1] ^= 1
	if _, err := b.Open(s1); err == nil {
		t.Fatal("a tampered ciphertext must not open")
	}
	if b.Fingerprint("13812345678") != b.Fingerprint("13812345678") || b.Fingerprint("1") == b.Fingerprint("2") {
		t.Fatal("fingerprints must be stable and distinct")
	}
	other, _ := New([]byte(strings.Repeat("o", 32)))
	if other.Fingerprint("13812345678") == b.Fingerprint("13812345678") {
		t.Fatal("fingerprints must depend on the key")
	}
}
