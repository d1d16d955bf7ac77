package rules

import (
	"fmt"
	"path"
	"strings"

	"github.com/cachelint/cachelint/dockerfile"
)

// cacheBase is what BuildKit adds to a cache mount's id to key its
// cache: the stage or image it starts from, and the uid, gid and mode
// of its directory when any of them is given (a mount with uid=0 starts
// from another directory than one without). Two mounts share a cache
// only when their ids and bases are equal.
func cacheBase(m *dockerfile.Mount) string {
	var b strings.Builder
	if m.From != "" {
		fmt.Fprintf(&b, "from=%s,source=%s", m.From, path.Join("/", m.Source))
	}
	if m.UID != nil || m.GID != nil || m.Mode != nil {
		uid, gid, mode := uint64(0), uint64(0), uint64(0o755)
		if m.UID != nil {
			uid = *m.UID
		}
		if m.GID != nil {
			gid = *m.GID
		}
		if m.Mode != nil {
			mode = *m.Mode
		}
		fmt.Fprintf(&b, " uid=%d gid=%d mode=%o", uid, gid, mode)
	}
	return b.String()
}

// anyMountCovers reports whether a mount of any type (cache, bind,
// tmpfs) holds one of dirs during the RUN.
func anyMountCovers(in *dockerfile.Instruction, dirs []string) bool {
	for _, m := range in.Run.Mounts {
		t := m.Target
		if !path.IsAbs(t) && in.Workdir != "" {
			t = path.Join(in.Workdir, t)
		}
		cm := cacheMount{Mount: m, Target: path.Clean(t)}
		if !path.IsAbs(t) || strings.Contains(t, "$") {
			continue
		}
		for _, d := range dirs {
			if cm.covers(d) {
				return true
			}
		}
	}
	return false
}

// meantForMount reports whether a cache mount of the RUN names the
// cache, wherever it is (cache-mount-wrong-target reports those).
func meantForMount(mounts []cacheMount, c *Cache) bool {
	for _, m := range mounts {
		if c.meantFor(m.Target) {
			return true
		}
	}
	return false
}
