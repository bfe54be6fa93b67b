package password

import (
	"errors"
	"strings"
	"testing"
)

var fast = Params{MemoryKiB: 1024, Time: 1, Threads: 1}

func TestHashVerify(t *testing.T) {
	h, err := Hash("青花瓷-secret", fast)
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := Hash("青花瓷-secret", fast)
	if h == h2 {
		t.Error("two hashes of one password must differ (salt)")
	}
	tests := []struct {
		name, pw, hash string
		want           error
		otherErr       bool
	}{
		{"right", "青花瓷-secret", h, nil, false},
		{"wrong", "青花瓷-Secret", h, ErrMismatch, false},
		{"empty", "", h, ErrMismatch, false},
		{"too long", strings.Repeat("x", MaxLength+1), h, ErrMismatch, false},
		{"not a hash", "x", "plain", nil, true},
		{"bcrypt", "x", "$2a$10$abcdefghijklmnopqrstuv", nil, true},
		{"huge memory", "x", "$argon2id$v=19$m=99999999,t=1,p=1$c2FsdA$a2V5", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(tt.pw, tt.hash)
			if tt.otherErr {
				if err == nil || errors.Is(err, ErrMismatch) {
					t.Errorf("err = %v, want a format error", err)
				}
				return
			}
			if !errors.Is(err, tt.want) && !(err == nil && tt.want == nil) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := Hash(strings.Repeat("x", MaxLength+1), fast); err == nil {
		t.Error("want an error hashing an over-long password")
	}
}

func TestGenerate(t *testing.T) {
	a, b := Generate(20), Generate(20)
	if len(a) != 20 || a == b {
		t.Errorf("Generate gave %q and %q", a, b)
	}
}

func BenchmarkHashDefault(b *testing.B) {
	for b.Loop() {
		Hash("correct horse battery staple", Default)
	}
}
