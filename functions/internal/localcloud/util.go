package localcloud

import (
	"cmp"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
)

// deref is the value behind an SDK pointer, or the zero value.
func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

func compare[T cmp.Ordered](a, b T) int { return cmp.Compare(a, b) }

// page cuts a list the way the API pages: 1-based page numbers of rp items.
func page[T any](list []T, pg, rp uint64) []T {
	if rp == 0 {
		return list
	}
	if pg == 0 {
		pg = 1
	}
	start := (pg - 1) * rp
	if start >= uint64(len(list)) {
		return []T{}
	}
	return list[start:min(start+rp, uint64(len(list)))]
}

// window cuts a list by offset and limit (20 when unset).
func window[T any, N int64 | uint64](list []T, offset, limit N) []T {
	o, l := int(offset), int(limit)
	if o >= len(list) {
		return []T{}
	}
	if l <= 0 {
		l = 20
	}
	return list[o:min(o+l, len(list))]
}

func cutHash(s string) (string, string, bool) { return strings.Cut(s, "#") }

// derefs is the values behind a list of SDK pointers.
func derefs[T any](list []*T) []T {
	out := make([]T, 0, len(list))
	for _, p := range list {
		if p != nil {
			out = append(out, *p)
		}
	}
	return out
}

// atoi reads the API's numbers sent as strings (Offset, Limit of some products); 0 when unset.
func atoi(s *string) int64 {
	n, _ := strconv.ParseInt(deref(s), 10, 64)
	return n
}

func cmpOr(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// randomID is the random part of an id such as vpc-1a2b3c4d: lower case letters and digits.
func randomID(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := []byte(randomHex(n))
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b[:n])
}

// fmtSscan reads a number from text, leaving n as it was on failure.
func fmtSscan(s string, n *uint64) {
	if v, err := strconv.ParseUint(s, 10, 64); err == nil {
		*n = v
	}
}

// randomUUID is an id in the 8-4-4-4-12 form CLS and others use.
func randomUUID() string {
	h := randomHex(16)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// owned makes cmd a child that dies with the cloud: its own process group, so a signal to the
// terminal does not reach it twice, and SIGTERM when the cloud's process goes away, so a killed
// cloud leaves no mariadbd or redis-server holding its address for the next run.
func owned(cmd *exec.Cmd) *exec.Cmd {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	return cmd
}

// freeLoopback is the first loopback address from 127.0.0.<first> on whose port nothing listens:
// each database the cloud runs gets an address of its own at the port it was asked for, and two
// clouds on one machine (a test beside scripts/test-cloud) must not take each other's.
func freeLoopback(first int, port int64) string {
	for n := first; n < first+2000; n++ {
		ip := fmt.Sprintf("127.0.%d.%d", n/250, n%250)
		if n%250 == 0 {
			continue
		}
		l, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.FormatInt(port, 10)))
		if err == nil {
			l.Close()
			return ip
		}
	}
	return fmt.Sprintf("127.0.0.%d", first)
}
