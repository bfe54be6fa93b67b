package app

import "runtime/debug"

// version is stamped by scripts/build-functions (-X), which builds without VCS information so
// that the same commit gives the same bytes.
var version string

// Version is the commit the binary was built from, or "dev".
func Version() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return s.Value[:12]
		}
	}
	return "dev"
}
