// Package memredis runs miniredis in process as the embedded Redis stand-in for local mode and
// tests. It speaks RESP on a loopback port, so go-redis works unchanged.
//
// TTLs are put on the wall clock (ClockTTL): by default miniredis never expires keys unless a
// test fast-forwards it, which would make local throttles and caches live forever
// (docs/embedded-stand-ins.md §11).
package memredis

import (
	"fmt"

	"github.com/alicebob/miniredis/v2"
)

// Server is a running in-process Redis.
type Server struct{ mr *miniredis.Miniredis }

// Start listens on a free loopback port.
func Start() (*Server, error) {
	mr := miniredis.NewMiniRedis()
	mr.ClockTTL(true)
	if err := mr.StartAddr("127.0.0.1:0"); err != nil {
		return nil, fmt.Errorf("memredis: %w", err)
	}
	return &Server{mr: mr}, nil
}

// Addr is the host:port to give a Redis client.
func (s *Server) Addr() string { return s.mr.Addr() }

// Close stops the server; everything in it is gone.
func (s *Server) Close() { s.mr.Close() }
