package auth

import (
	"context"
	"testing"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
)

// TestGateKeepsASlotForKnownAddresses: with every shared slot taken and no room to wait, an
// unknown caller is refused at once, and a caller from a known address still gets the reserved
// slot; the reserved slot is one, so a second known caller waits for it.
func TestGateKeepsASlotForKnownAddresses(t *testing.T) {
	ctx := context.Background()
	g := NewGate(2, 0, 20*time.Millisecond)
	var held []func()
	for range 2 {
		r, err := g.enter(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, r)
	}
	if _, err := g.enter(ctx, false); appraisal.CodeOf(err) != "auth.busy" {
		t.Fatalf("an unknown caller with the shared slots full: %v", err)
	}
	r, err := g.enter(ctx, true)
	if err != nil {
		t.Fatalf("a known caller with the shared slots full: %v", err)
	}
	if _, err := g.enter(ctx, true); appraisal.CodeOf(err) != "auth.busy" {
		t.Fatalf("a second known caller while the reserved slot is held: %v", err)
	}
	r()
	for _, h := range held {
		h()
	}
	if g.Peak() != 3 {
		t.Fatalf("peak %d, want 3 (two shared and the reserved)", g.Peak())
	}
}
