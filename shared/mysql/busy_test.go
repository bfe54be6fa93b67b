package mysql_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	driver "github.com/go-sql-driver/mysql"

	"github.com/jianbao/admin/shared/appraisal"
	"github.com/jianbao/admin/shared/mysql"
	"github.com/jianbao/admin/shared/testenv"
)

// TestARefusedConnectionIsBusyNotBroken: a server out of connections (here an account limited
// to one, MAX_USER_CONNECTIONS, error 1226; max_connections gives 1040 the same way) is a
// dependency that is unavailable for a moment — mysql.busy, 503 with Retry-After — and a later
// Open, once a connection is free, works: nothing stays broken.
func TestARefusedConnectionIsBusyNotBroken(t *testing.T) {
	d := testenv.MySQL(t)
	ctx := context.Background()
	cfg, _ := driver.ParseDSN(d.DSN)
	user := "jbbusy_" + strings.ReplaceAll(cfg.DBName, "jbt_", "")
	if _, err := d.DB.ExecContext(ctx, "CREATE USER '"+user+"'@'%' IDENTIFIED BY 'busy-password' WITH MAX_USER_CONNECTIONS 1"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.DB.ExecContext(context.Background(), "DROP USER IF EXISTS '"+user+"'@'%'") })
	if _, err := d.DB.ExecContext(ctx, "GRANT SELECT ON "+cfg.DBName+".* TO '"+user+"'@'%'"); err != nil {
		t.Fatal(err)
	}
	cfg.User, cfg.Passwd = user, "busy-password"
	holder, err := mysql.Open(ctx, cfg.FormatDSN(), mysql.Options{MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = mysql.Open(ctx, cfg.FormatDSN(), mysql.Options{MaxOpenConns: 1})
	var ae *appraisal.Error
	if !errors.As(err, &ae) || ae.Kind != appraisal.KindUnavailable || ae.Code != "mysql.busy" || ae.RetryAfter != 2*time.Second {
		t.Fatalf("a second connection over the limit: %v", err)
	}
	holder.Close()
	again, err := mysql.Open(ctx, cfg.FormatDSN(), mysql.Options{MaxOpenConns: 1})
	if err != nil {
		t.Fatalf("once the connection is free: %v", err)
	}
	again.Close()
}
