// Command bare is the yardstick of scripts/bench/scale.sh: a net/http server that answers each
// path with bytes captured from the API (the same JSON, the same length) and does nothing else.
// The API's cached reads are compared with it in the same run.
//
//	bare -addr 127.0.0.1:18090 /api/v1/orders=list.json /api/v1/orders/7=detail.json
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18090", "listen address")
	flag.Parse()
	mux := http.NewServeMux()
	for _, arg := range flag.Args() {
		path, file, ok := strings.Cut(arg, "=")
		body, err := os.ReadFile(file)
		if !ok || err != nil {
			fmt.Fprintf(os.Stderr, "bare: %q: want path=file (%v)\n", arg, err)
			os.Exit(2)
		}
		mux.HandleFunc("GET "+path, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write(body)
		})
	}
	if err := http.ListenAndServe(*addr, mux); err != nil {
		fmt.Fprintln(os.Stderr, "bare:", err)
		os.Exit(1)
	}
}
