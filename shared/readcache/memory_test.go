package readcache

import (
	"fmt"
	"testing"
	"time"
)

// TestMemoryBounds: the memory keeps at most its number of entries and its bytes of answers,
// never keeps an answer bigger than all its bytes, and drops an entry found stale.
func TestMemoryBounds(t *testing.T) {
	m := &memory{items: map[string]entry{}, size: 8, maxBytes: 100, ttl: time.Hour}
	for i := range 20 {
		m.put(fmt.Sprint("a", i), "e1", i, 30)
		if len(m.items) > 8 || m.bytes > 100 {
			t.Fatalf("after %d puts: %d entries, %d bytes", i+1, len(m.items), m.bytes)
		}
	}
	sum := 0
	for _, e := range m.items {
		sum += e.bytes
	}
	if sum != m.bytes {
		t.Fatalf("bytes counted %d, held %d", m.bytes, sum)
	}
	m.put("huge", "e1", "x", 101)
	if _, ok := m.get("huge", "e1"); ok {
		t.Fatal("kept an answer bigger than the whole budget")
	}
	m.put("k", "e1", "v", 10)
	before := m.bytes
	if _, ok := m.get("k", "e2"); ok {
		t.Fatal("served under another epoch")
	}
	if _, ok := m.items["k"]; ok || m.bytes != before-10 {
		t.Fatalf("a stale entry stayed: bytes %d, was %d", m.bytes, before)
	}
	m.put("k", "e1", "v", 10)
	m.put("k", "e1", "w", 20) // replacing counts the new size only
	if v, _ := m.get("k", "e1"); v != "w" || m.items["k"].bytes != 20 {
		t.Fatalf("replaced entry %v", m.items["k"])
	}
	m.clear()
	if len(m.items) != 0 || m.bytes != 0 {
		t.Fatalf("after clear: %d entries, %d bytes", len(m.items), m.bytes)
	}
}
