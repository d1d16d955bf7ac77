package rules

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/dockerfile"
)

// CacheMountIDMismatch flags cache mounts of one tool's cache that do not
// share a cache, and one id used for two tools' caches.
var CacheMountIDMismatch = &analysis.Analyzer{
	Name: "cache_mount_id_mismatch",
	Doc: `cache mounts of the same cache have different ids, or one id holds two tools' caches

Why it matters for the cache: BuildKit keeps one cache per mount id. The
id is id= when given, else the target exactly as written (a relative
target included), and uid=, gid=, mode= and from= make another cache
under the same id. Two steps that mount the same tool's cache with
different ids, or the same id with a different uid, never see each
other's downloads: each fills its own copy. One explicit id used for two
tools' caches (id=cache on /root/.npm and on /root/.cache/pip) puts both
in one directory, where they get in each other's way. A relative target
without an id has that bare path as its id (node_modules), which every
build on the builder that mounts the same relative path shares, whatever
its WORKDIR.

Example:

    FROM gradle:8-jdk21 AS deps
    RUN --mount=type=cache,id=gradle-cache,target=/root/.gradle gradle dependencies
    FROM deps AS build
    RUN --mount=type=cache,target=/root/.gradle gradle build

Fix: use one id for one cache, with the same uid, gid and mode
everywhere (the suggested fix gives the later mount the first one's id):

    FROM gradle:8-jdk21 AS deps
    RUN --mount=type=cache,id=gradle-cache,target=/root/.gradle gradle dependencies
    FROM deps AS build
    RUN --mount=type=cache,target=/root/.gradle,id=gradle-cache gradle build

Mounts count as the same cache when they mount the same tool's cache
directory on the same target (both on /root/.m2, or both on
/root/.m2/repository): the cache a mount serves is found from the
commands of its RUN (the directory the tool uses there, as
missing-cache-mount finds it), else from a target that names it
(.npm, pkg/mod, .m2). Each later mount is compared with the first one in
the file, and reported at its flag. Different ids are reported when
one of the two mounts has no id= (the id was forgotten). Not reported:
two explicit ids that differ (names chosen on purpose, such as a cache
per stage or per set of package sources); ids or targets that use a
variable (id=gomod-$TARGETARCH keeps platforms apart on purpose); apt,
dnf, apk or zypper caches in stages on different base images (their
content belongs to one distribution); mounts whose ids differ and whose
uid, gid or mode differ too (steps run by different users need their
own cache); the same id with another
uid, gid or mode when the steps run as different users; the same id for
two tools on the same target (id=cache,target=/root/.cache for pip in
one step and uv in another: each keeps its own subdirectory); Windows
stages.

Sources:
- https://docs.docker.com/reference/dockerfile/#run---mounttypecache
- https://github.com/moby/buildkit/blob/master/frontend/dockerfile/dockerfile2llb/convert_runmount.go
- https://github.com/moby/buildkit/issues/3041
- https://www.augmentedmind.de/2023/11/19/advanced-buildkit-caching/`,
	URL:      docURL("cache-mount-id-mismatch"),
	Requires: []*analysis.Analyzer{dockerfile.Analyzer},
	Run:      runCacheMountIDMismatch,
}

// cacheSlot is one tool's cache directory and where it is relative to a
// mount's target: rel is "" when the mount is on the cache directory
// itself, "repository" for a mount on /root/.m2 serving
// /root/.m2/repository.
type cacheSlot struct {
	cache *Cache
	dir   string
	rel   string
}

// mountUse is one cache mount with the caches it serves, and what
// reportIDMismatch compares of it, worked out once.
type mountUse struct {
	in    *dockerfile.Instruction
	m     cacheMount
	slots []cacheSlot

	line     int    // of the flag
	variable bool   // its id depends on a variable (variableID)
	base     string // cacheBase
	img      ImageRef
	imgOK    bool   // img is the stage's known base image
	uid      string // the user the RUN runs as, "" when not known
}

func newMountUse(f *dockerfile.File, in *dockerfile.Instruction, m cacheMount) *mountUse {
	u := &mountUse{in: in, m: m, slots: servedSlots(in, m), line: f.Tok.Line(m.Flag.Pos)}
	u.variable = variableID(m.Mount)
	u.base = cacheBase(m.Mount)
	u.img, u.imgOK = baseImage(in.Stage)
	u.uid = newRunEnv(in, nil).uid()
	return u
}

// key is everything reportIDMismatch reads of a mount when it is the
// first of the two, but for its line: mounts with the same key compare
// alike with any later one.
func (u *mountUse) key() string {
	var b strings.Builder
	for _, s := range u.slots {
		fmt.Fprintf(&b, "%p\x00%s\x00%s\x00", s.cache, s.dir, s.rel)
	}
	fmt.Fprintf(&b, "\x01%q %q %q %q %q %#v %v %q %v", u.m.ID, u.m.CacheID, u.m.Target, u.base, describeBase(u.m.Mount), u.img, u.imgOK, u.uid, u.variable)
	return b.String()
}

// slotID is a cache slot and a mount id.
type slotID struct {
	slot cacheSlot
	id   string
}

// mountIndex holds the cache mounts seen so far, one of each key (the
// first), indexed by what a later mount must have in common with one to
// be reported against it. A later mount is compared with the few mounts
// that can match, not with every one before it.
type mountIndex struct {
	byKey      map[string]bool
	bySlot     map[cacheSlot][]*mountUse // every mount serving the slot
	bySlotNoID map[cacheSlot][]*mountUse // those of them without id=
	bySlotID   map[slotID][]*mountUse    // those of them with the id
	byCacheID  map[string][]*mountUse    // mounts with this id=
}

func (x *mountIndex) add(u *mountUse) {
	if u.variable {
		return // never reported against
	}
	k := u.key()
	if x.byKey[k] {
		return // an earlier mount with the key comes first
	}
	x.byKey[k] = true
	for _, s := range u.slots {
		x.bySlot[s] = append(x.bySlot[s], u)
		if u.m.CacheID == "" {
			x.bySlotNoID[s] = append(x.bySlotNoID[s], u)
		}
		x.bySlotID[slotID{s, u.m.ID}] = append(x.bySlotID[slotID{s, u.m.ID}], u)
	}
	if u.m.CacheID != "" {
		x.byCacheID[u.m.CacheID] = append(x.byCacheID[u.m.CacheID], u)
	}
}

// first finds the first mount that later is reported against, and the
// diagnostic. Each list is in order: the first of a list that reports is
// the list's candidate, and the earliest of those wins.
func (x *mountIndex) first(later *mountUse) (analysis.Diagnostic, bool) {
	var lists [][]*mountUse
	for _, s := range later.slots {
		if later.m.CacheID == "" {
			lists = append(lists, x.bySlot[s])
		} else {
			// Two mounts with ids of their own are reported only for the
			// same id.
			lists = append(lists, x.bySlotNoID[s], x.bySlotID[slotID{s, later.m.ID}])
		}
	}
	if later.m.CacheID != "" {
		lists = append(lists, x.byCacheID[later.m.CacheID])
	}
	var best *mountUse
	var diag analysis.Diagnostic
	for _, list := range lists {
		for _, first := range list {
			if best != nil && !before(first, best) {
				break
			}
			if d, ok := idMismatch(first, later); ok {
				best, diag = first, d
				break
			}
		}
	}
	return diag, best != nil
}

// before reports whether mount a comes before mount b in the file.
func before(a, b *mountUse) bool {
	return a.m.Flag.Pos < b.m.Flag.Pos
}

func runCacheMountIDMismatch(pass *analysis.Pass) (any, error) {
	f := pass.ResultOf[dockerfile.Analyzer].(*dockerfile.File)
	if !hasCacheMounts(f) {
		return nil, nil
	}
	x := &mountIndex{
		byKey:      map[string]bool{},
		bySlot:     map[cacheSlot][]*mountUse{},
		bySlotNoID: map[cacheSlot][]*mountUse{},
		bySlotID:   map[slotID][]*mountUse{},
		byCacheID:  map[string][]*mountUse{},
	}
	for _, s := range f.Stages {
		if IsWindows(s) {
			continue
		}
		for _, in := range s.Instructions {
			if in.Run == nil {
				continue
			}
			// The mounts of one RUN are compared with those of the RUNs
			// before it, not with each other.
			var uses []*mountUse
			for _, m := range cacheMounts(in) {
				if m.Flag.Text == "" {
					continue
				}
				u := newMountUse(f, in, m)
				uses = append(uses, u)
				if checkRelativeTarget(pass, m) || u.variable {
					continue
				}
				if d, ok := x.first(u); ok {
					pass.Report(d)
				}
			}
			for _, u := range uses {
				x.add(u)
			}
		}
	}
	return nil, nil
}

// servedSlots finds the caches a mount serves: the caches of the RUN's
// commands that it covers; else, when it covers none, the caches its
// target names, placed by where the tool would keep them.
func servedSlots(in *dockerfile.Instruction, m cacheMount) []cacheSlot {
	var slots []cacheSlot
	add := func(c *Cache, dirs []string) {
		for _, d := range dirs {
			if !m.covers(d) {
				continue
			}
			rel := strings.TrimPrefix(strings.TrimPrefix(d, m.Target), "/")
			if s := (cacheSlot{c, d, rel}); !slices.Contains(slots, s) {
				slots = append(slots, s)
			}
			return
		}
	}
	for _, n := range cacheNeeds(in) {
		add(n.Cache, n.Dirs)
	}
	if len(slots) > 0 || m.Target == "" {
		return slots
	}
	e := newRunEnv(in, nil)
	for _, t := range tools {
		for _, c := range t.Caches {
			if !c.meantFor(m.Target) {
				continue
			}
			if dirs, ok := c.dirs(e); ok {
				add(c, dirs)
			}
		}
	}
	return slots
}

// sharedSlot is a cache both mounts serve at the same place.
func sharedSlot(a, b *mountUse) (cacheSlot, bool) {
	for _, s := range a.slots {
		if slices.Contains(b.slots, s) {
			return s, true
		}
	}
	return cacheSlot{}, false
}

// idMismatch returns the diagnostic of later against first when they
// should share a cache and do not, or share an id and should not.
func idMismatch(first, later *mountUse) (analysis.Diagnostic, bool) {
	if first.variable || later.variable {
		return analysis.Diagnostic{}, false
	}
	line := first.line
	sameBase := first.base == later.base
	if slot, ok := sharedSlot(first, later); ok {
		switch {
		case first.m.ID != later.m.ID && sameBase && (first.m.CacheID == "" || later.m.CacheID == "") &&
			(!systemCache(slot.cache) || sameBaseImage(first, later)):
			msg := fmt.Sprintf("this cache mount of the %s has id %s, the one on line %d has id %s: BuildKit keeps two caches and the steps never share what they download",
				slot.cache.What, describeID(later.m), line, describeID(first.m))
			return analysis.Diagnostic{
				Pos: later.m.Flag.Pos, End: later.m.Flag.End, Message: msg,
				SuggestedFixes: []analysis.SuggestedFix{setIDFix(later.m, first.m.ID)},
			}, true
		case first.m.ID == later.m.ID && !sameBase && sameUser(first, later):
			msg := fmt.Sprintf("this cache mount of the %s has the id of the one on line %d (%s) but %s instead of %s: BuildKit keeps a separate cache for each uid, gid, mode and from, so the steps never share it",
				slot.cache.What, line, later.m.ID, describeBase(later.m.Mount), describeBase(first.m.Mount))
			return analysis.Diagnostic{
				Pos: later.m.Flag.Pos, End: later.m.Flag.End, Message: msg,
				SuggestedFixes: []analysis.SuggestedFix{{Message: "give both mounts the same uid, gid and mode"}},
			}, true
		}
		return analysis.Diagnostic{}, false
	}
	// One explicit id for two tools' caches on different targets.
	if first.m.CacheID == "" || first.m.CacheID != later.m.CacheID || first.m.Target == later.m.Target ||
		len(first.slots) == 0 || len(later.slots) == 0 || sharesCache(first, later) {
		return analysis.Diagnostic{}, false
	}
	msg := fmt.Sprintf("id=%s is also the id of the cache mount on line %d, which holds the %s: the %s lands in the same cache, and the two tools' files get in each other's way",
		later.m.CacheID, line, first.slots[0].cache.What, later.slots[0].cache.What)
	return analysis.Diagnostic{
		Pos: later.m.Flag.Pos, End: later.m.Flag.End, Message: msg,
		SuggestedFixes: []analysis.SuggestedFix{{Message: "give each tool's cache its own id"}},
	}, true
}

// sharesCache reports whether two mounts serve a cache in common, at any
// place.
func sharesCache(a, b *mountUse) bool {
	for _, s := range a.slots {
		for _, t := range b.slots {
			if s.cache == t.cache {
				return true
			}
		}
	}
	return false
}

// systemCache reports whether a cache belongs to an operating system's
// package manager: its content depends on the distribution.
func systemCache(c *Cache) bool {
	for _, t := range tools {
		if t.System && slices.Contains(t.Caches, c) {
			return true
		}
	}
	return false
}

// sameBaseImage reports whether the stages of two mounts' RUNs start
// from the same known image.
func sameBaseImage(a, b *mountUse) bool {
	return a.imgOK && b.imgOK && a.img == b.img
}

// sameUser reports whether two mounts' RUNs are known to run as the same
// user.
func sameUser(a, b *mountUse) bool {
	return a.uid != "" && a.uid == b.uid
}

// describeID says where a mount's id comes from.
func describeID(m cacheMount) string {
	if m.CacheID != "" {
		return fmt.Sprintf("%q", m.ID)
	}
	return fmt.Sprintf("%q (its target, as it has no id=)", m.ID)
}

// setIDFix gives a mount the id: it replaces the id= value, or adds an
// id= field at the end of the flag.
func setIDFix(m cacheMount, id string) analysis.SuggestedFix {
	fix := analysis.SuggestedFix{Message: fmt.Sprintf("use id=%s on this mount too", id)}
	if _, ok := rawMountFields(m.Mount); !ok || strings.ContainsAny(id, ",\"'$") {
		return fix
	}
	if field, ok := rawMountValue(m.Mount, "id"); ok {
		fix.TextEdits = []analysis.TextEdit{{Pos: flagPos(m.Mount, field.Start), End: flagPos(m.Mount, field.End), NewText: []byte(id)}}
		return fix
	}
	end := flagPos(m.Mount, len(m.Flag.Text))
	fix.TextEdits = []analysis.TextEdit{{Pos: end, End: end, NewText: []byte(",id=" + id)}}
	return fix
}

// checkRelativeTarget reports a cache mount with a relative target and
// no id: its id is the bare relative path. It reports whether it did.
func checkRelativeTarget(pass *analysis.Pass, m cacheMount) bool {
	raw, ok := rawMountValue(m.Mount, "target", "dst", "destination")
	if m.CacheID != "" || !ok || raw.Value == "" || strings.ContainsAny(raw.Value, "$\\") || path.IsAbs(raw.Value) || (len(raw.Value) > 1 && raw.Value[1] == ':') {
		return false
	}
	msg := fmt.Sprintf("this cache mount's target %q is relative and it has no id=, so its id is %q: every build on the builder that mounts %q shares this cache, whatever its WORKDIR",
		raw.Value, m.ID, m.ID)
	fix := analysis.SuggestedFix{Message: "give the mount an id that names the project, or an absolute target"}
	if m.Target != "" {
		fix.Message = fmt.Sprintf("make the target absolute (%s) or give the mount an id that names the project", m.Target)
		fix.TextEdits = []analysis.TextEdit{{Pos: flagPos(m.Mount, raw.Start), End: flagPos(m.Mount, raw.End), NewText: []byte(m.Target)}}
	}
	pass.Report(analysis.Diagnostic{
		Pos: m.Flag.Pos, End: m.Flag.End, Message: msg,
		SuggestedFixes: []analysis.SuggestedFix{fix},
	})
	return true
}
