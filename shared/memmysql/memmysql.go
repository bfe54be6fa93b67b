// Package memmysql runs go-mysql-server in process as the embedded MySQL stand-in for local mode
// and tests. It speaks the MySQL wire protocol on a loopback port, so the production driver and
// SQL run unchanged.
//
// Its limits decide how it must be used (docs/embedded-stand-ins.md): v0.20.0 loses concurrent
// writes unless every client holds the pool to one connection (MaxOpenConns), it keeps nothing on
// disk, and its unique indexes are case-sensitive. Production binaries never import this package:
// it adds about 60 MB and a quarter second of package init.
package memmysql

import (
	"context"
	"fmt"
	"io"
	"net"

	sqle "github.com/dolthub/go-mysql-server"
	"github.com/dolthub/go-mysql-server/memory"
	"github.com/dolthub/go-mysql-server/server"
	"github.com/dolthub/go-mysql-server/sql"
	"github.com/sirupsen/logrus"
)

// MaxOpenConns is the only safe pool size for clients of the stand-in.
const MaxOpenConns = 1

// Server is a running in-process MySQL-compatible server holding one database.
type Server struct {
	srv  *server.Server
	addr string
	db   string
}

// Start listens on a free loopback port and serves an empty database named dbName.
func Start(dbName string) (*Server, error) {
	// GMS logs through the global logrus logger; its start-up warnings are noise for us.
	logrus.SetOutput(io.Discard)

	mdb := memory.NewDatabase(dbName)
	mdb.BaseDatabase.EnablePrimaryKeyIndexes()
	pro := memory.NewDBProvider(mdb)
	engine := sqle.NewDefault(pro)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("memmysql: listen: %w", err)
	}
	srv, err := server.NewServer(server.Config{Protocol: "tcp", Address: ln.Addr().String(), Listener: ln},
		engine, sql.NewContext, memory.NewSessionBuilder(pro), nil)
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("memmysql: %w", err)
	}
	go srv.Start()
	return &Server{srv: srv, addr: ln.Addr().String(), db: dbName}, nil
}

// Addr is the host:port the server listens on.
func (s *Server) Addr() string { return s.addr }

// DSN is a go-sql-driver/mysql DSN for the database.
func (s *Server) DSN() string {
	return fmt.Sprintf("root@tcp(%s)/%s?parseTime=true&loc=UTC", s.addr, s.db)
}

// Close stops the server; everything in it is gone.
func (s *Server) Close(context.Context) error { return s.srv.Close() }
