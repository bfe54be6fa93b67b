package mysql

// SetSearchCap lets a test make every keyword "common", so the walk that common keywords take
// is tested on a small corpus too.
func SetSearchCap(n int) (restore func()) {
	old := searchCap
	searchCap = n
	return func() { searchCap = old }
}
