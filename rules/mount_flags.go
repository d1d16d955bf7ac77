package rules

import (
	"fmt"
	"go/token"
	"path"
	"strings"

	"github.com/cachelint/cachelint/dockerfile"
)

// mountField is one key=value field of a --mount flag as written, with
// the offsets of its value in the flag's text.
type mountField struct {
	Key, Value string
	Start, End int // offsets of Value in Mount.Flag.Text
}

// rawMountFields splits a --mount flag's text into its fields, before
// variables are expanded. ok is false when the text is quoted or is not a
// --mount flag, so that positions inside it cannot be trusted.
func rawMountFields(m *dockerfile.Mount) ([]mountField, bool) {
	text := m.Flag.Text
	name, value, found := strings.Cut(text, "=")
	if !found || !strings.EqualFold(name, "--mount") || strings.ContainsAny(value, `"'`) {
		return nil, false
	}
	var out []mountField
	off := len(name) + 1
	for _, field := range strings.Split(value, ",") {
		k, v, _ := strings.Cut(field, "=")
		start := off + len(k) + 1
		if !strings.Contains(field, "=") {
			start = off + len(field)
		}
		out = append(out, mountField{Key: strings.ToLower(k), Value: v, Start: start, End: off + len(field)})
		off += len(field) + 1
	}
	return out, true
}

// rawMountValue is a field's value as written ("" when absent); keys are
// alternatives (target, dst, destination).
func rawMountValue(m *dockerfile.Mount, keys ...string) (mountField, bool) {
	fields, ok := rawMountFields(m)
	if !ok {
		return mountField{}, false
	}
	for _, f := range fields {
		if oneOf(f.Key, keys...) {
			return f, true
		}
	}
	return mountField{}, false
}

// rawCacheID is the cache id as written: the id= value, else the target.
// ok is false when the flag cannot be read.
func rawCacheID(m *dockerfile.Mount) (string, bool) {
	if f, ok := rawMountValue(m, "id"); ok {
		return f.Value, true
	}
	if f, ok := rawMountValue(m, "target", "dst", "destination"); ok {
		return f.Value, true
	}
	return "", false
}

// variableID reports whether a cache mount's id (or its target, when it
// has no id) depends on a variable: ids such as gomod-$TARGETARCH keep
// caches apart on purpose.
func variableID(m *dockerfile.Mount) bool {
	id, ok := rawCacheID(m)
	return !ok || strings.Contains(id, "$")
}

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

// describeBase says how a mount's base reads in a message.
func describeBase(m *dockerfile.Mount) string {
	var parts []string
	if m.From != "" {
		parts = append(parts, "from="+m.From)
	}
	if m.UID != nil {
		parts = append(parts, fmt.Sprintf("uid=%d", *m.UID))
	}
	if m.GID != nil {
		parts = append(parts, fmt.Sprintf("gid=%d", *m.GID))
	}
	if m.Mode != nil {
		parts = append(parts, fmt.Sprintf("mode=%#o", *m.Mode))
	}
	if len(parts) == 0 {
		return "no uid, gid or mode"
	}
	return strings.Join(parts, ",")
}

// flagPos converts an offset in a mount flag's text to a position.
func flagPos(m *dockerfile.Mount, off int) token.Pos {
	return m.Flag.Pos + token.Pos(off)
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

// unmodelledMounts reports whether a RUN has --mount flags the model could
// not read (a value from a build argument given only at build time, such
// as uid=$UID): what they mount is not known, so a rule that needs to know
// whether a directory is mounted stays quiet.
func unmodelledMounts(in *dockerfile.Instruction) bool {
	n := 0
	for _, f := range in.Flags {
		if name, _, _ := strings.Cut(strings.TrimPrefix(f.Text, "--"), "="); strings.EqualFold(name, "mount") {
			n++
		}
	}
	return n > len(in.Run.Mounts)
}

// runsAsOtherUser reports whether a RUN switches user for some command
// (sudo -u node npm ci, gosu app pip install, su -c): the model sees the
// command but computes its directories for the USER in effect, so rules
// that compare directories stay quiet.
func runsAsOtherUser(in *dockerfile.Instruction) bool {
	words := make([]string, len(in.Args))
	for i, w := range in.Args {
		words[i] = strings.Trim(w.Text, "\"',[]();&|")
	}
	for i, w := range words {
		switch path.Base(w) {
		case "gosu", "su-exec", "runuser", "su", "chpst", "setuidgid", "setpriv":
			return true
		case "sudo":
			for _, f := range words[i+1:] {
				if !strings.HasPrefix(f, "-") {
					break
				}
				if f == "-u" || strings.HasPrefix(f, "--user") || !strings.HasPrefix(f, "--") && strings.HasSuffix(f, "u") {
					return true
				}
			}
		}
	}
	return false
}
