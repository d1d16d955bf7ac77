package rules

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/dfgitutil"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"github.com/moby/buildkit/util/system"
	"github.com/moby/patternmatcher"
	digest "github.com/opencontainers/go-digest"
	mode "github.com/tonistiigi/dchapes-mode"
)

// COPY and ADD as BuildKit's conversion takes them: the words it expands,
// the flags and sources it rejects, and CopyIgnoredFile.

// copyCommand is what COPY and ADD have in common.
type copyCommand struct {
	add            bool
	sd             instructions.SourcesAndDest
	chown, chmod   string
	checksum, from string
	link           bool
}

func (cv *conversion) dispatchCopy(s *bkStage, c *bkCommand, cp copyCommand, expand func(string) (string, error), lint *linter.Linter) error {
	var err error
	for _, w := range []*string{&cp.chown, &cp.chmod} {
		if *w, err = expand(*w); err != nil {
			return err
		}
	}
	if cp.add {
		if cp.checksum, err = expand(cp.checksum); err != nil {
			return err
		}
	}
	sources, err := expandAll(cp.sd.SourcePaths, expand)
	if err != nil {
		return err
	}
	dest, err := expand(cp.sd.DestPath)
	if err != nil {
		return err
	}
	if err := cv.expandHeredocs(s.state, c, cp.sd.SourceContents, lint); err != nil {
		return err
	}
	ignore := cv.ignore
	if len(c.sources) > 0 {
		if src := c.sources[0]; !src.dispatched {
			return fmt.Errorf("cannot copy from stage %q, it needs to be defined before current stage %q", cp.from, s.name)
		}
		ignore = nil // not the build context
	}
	if _, err := system.CheckSystemDriveAndRemoveDriveLetter(dest, s.state.os, true); err != nil {
		return fmt.Errorf("removing drive letter: %w", err)
	}
	if err := checkCopyFlags(cp, sources); err != nil {
		return err
	}
	for _, src := range sources {
		ref, isGit, gitErr := parseGitRef(src)
		switch {
		case gitErr != nil && isGit:
			return gitErr
		case gitErr == nil && !ref.IndistinguishableFromLocal:
			if !cp.add {
				return errors.New("source can't be a git ref for COPY")
			}
		case isHTTPSource(src):
			if !cp.add {
				return errors.New("source can't be a URL for COPY")
			}
			if cp.checksum != "" {
				if _, err := digest.Parse(cp.checksum); err != nil {
					return err
				}
			}
		default:
			if err := checkIgnored(ignore, cp.add, src, c, lint); err != nil {
				return err
			}
		}
	}
	return nil
}

// expandHeredocs expands the heredocs of COPY and ADD that BuildKit
// expands (<<EOF, not <<"EOF"), with its own lexer for them.
func (cv *conversion) expandHeredocs(st *bkState, c *bkCommand, docs []instructions.SourceContent, lint *linter.Linter) error {
	for _, doc := range docs {
		if !doc.Expand {
			continue
		}
		if cv.rawLex == nil {
			cv.rawLex = shell.NewLex('\\')
			cv.rawLex.SkipProcessQuotes = true
		}
		_, unmatched, err := cv.rawLex.ProcessWord(doc.Data, st.env)
		cv.undefinedVars(st, c, unmatched, lint)
		if err != nil {
			return err
		}
	}
	return nil
}

// checkCopyFlags fails as BuildKit does on a --chown, --chmod or
// --checksum it cannot use.
func checkCopyFlags(cp copyCommand, sources []string) error {
	if cp.chown != "" && cp.link && chownByName(cp.chown) {
		return fmt.Errorf("--chown=%s: user and group names can't be resolved when used with --link, use numeric uid[:gid] instead", cp.chown)
	}
	if cp.chmod != "" {
		badMode := fmt.Errorf("invalid chmod parameter: '%v'. it should be octal string and between 0 and 07777", cp.chmod)
		if p, err := strconv.ParseUint(cp.chmod, 8, 32); err == nil {
			if p > 0o7777 {
				return badMode
			}
		} else if _, err := mode.Parse(cp.chmod); err != nil {
			var ne *strconv.NumError
			if errors.As(err, &ne) {
				return badMode
			}
			return err
		}
	}
	if cp.checksum != "" {
		if len(sources) != 1 {
			return errors.New("checksum can't be specified for multiple sources")
		}
		if !isHTTPSource(sources[0]) && !isGitSource(sources[0]) {
			return errors.New("checksum requires HTTP(S) or Git sources")
		}
	}
	return nil
}

// chownByName reports whether a --chown names a user or group rather than
// giving its number (root counts as a number).
func chownByName(chown string) bool {
	user, group, _ := strings.Cut(chown, ":")
	byName := func(s string) bool {
		if s == "" || s == "root" {
			return false
		}
		_, err := strconv.ParseInt(s, 10, 32)
		return err != nil
	}
	return byName(user) || byName(group)
}

func isHTTPSource(src string) bool {
	return (strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://")) && !isGitSource(src)
}

func isGitSource(src string) bool {
	ref, isGit, _ := parseGitRef(src)
	return ref != nil && isGit
}

// checkIgnored is BuildKit's CopyIgnoredFile: a source of the build
// context that its .dockerignore excludes. The context's root counts only
// when a pattern excludes everything.
func checkIgnored(ignore *patternmatcher.PatternMatcher, add bool, src string, c *bkCommand, lint *linter.Linter) error {
	if ignore == nil {
		return nil
	}
	src = filepath.ToSlash(filepath.Clean(src))
	if src == "." || src == "/" {
		root := false
		for _, p := range ignore.Patterns() {
			switch p.String() {
			case "*", "**", "**/*":
				root = root || !p.Exclusion()
			}
		}
		if !root {
			return nil
		}
	}
	ok, err := ignore.MatchesOrParentMatches(src)
	if err != nil {
		return err
	}
	if ok {
		cmd := "Copy"
		if add {
			cmd = "Add"
		}
		lint.Run(&linter.RuleCopyIgnoredFile, c.loc(), linter.RuleCopyIgnoredFile.Format(cmd, src))
	}
	return nil
}

// parseGitRef is dfgitutil.ParseGitRef, answered without it (an error
// that does not say git) for a source that can be no git reference: one
// with no scheme, no user@ and not on github.com/.
func parseGitRef(src string) (*dfgitutil.GitRef, bool, error) {
	if !strings.Contains(src, "://") && !strings.Contains(src, "@") && !strings.HasPrefix(src, "github.com/") {
		return nil, false, errNotGit
	}
	return dfgitutil.ParseGitRef(src)
}

var errNotGit = errors.New("not a git reference")
