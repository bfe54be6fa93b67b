// Command seed fills a running server with load-test data and prints what the wrk script needs:
// TOKEN=…, ORDER_ID=…, USERNAME=…, PASSWORD=… lines for the shell.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/jianbao/admin/functions/internal/loadtest"
)

func main() {
	base := flag.String("base", "http://127.0.0.1:8080", "server base URL")
	pw := flag.String("admin-password", os.Getenv("BOOTSTRAP_ADMIN_PASSWORD"), "the admin's password")
	n := flag.Int("orders", 2000, "orders to create")
	flag.Parse()
	s, err := loadtest.Seed(*base, *pw, *n)
	if err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(1)
	}
	fmt.Printf("TOKEN=%s\nORDER_ID=%s\nUSERNAME=%s\nPASSWORD=%s\n", s.Token, s.OrderIDs[len(s.OrderIDs)/2], s.Username, s.Password)
}
