package rules_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cachelint/cachelint/lint"
	"github.com/cachelint/cachelint/rules"
)

// TestConfiguredTools checks that missing-cache-mount knows the tools a
// configuration describes: the command prefix decides which commands run
// the tool, and the tool's cache directories want a mount.
func TestConfiguredTools(t *testing.T) {
	installer := rules.ExtraTool{Name: "my-installer", Command: []string{"./scripts/install-deps"}, CacheDirs: []string{"/root/.cache/my-installer"}}
	makeDeps := rules.ExtraTool{Name: "make-deps", Command: []string{"make", "deps"}, CacheDirs: []string{"/var/cache/deps", "~/.deps"}}
	byBase := rules.ExtraTool{Name: "fetcher", Command: []string{"fetch-all"}, CacheDirs: []string{"~/.cache/fetcher"}}
	npmOwn := rules.ExtraTool{Name: "our npm", Command: []string{"npm", "ci"}, CacheDirs: []string{"/cache/npm"}}
	tests := []struct {
		name  string
		tools []rules.ExtraTool
		src   string
		want  []string // "line:col message-substring"; every CL003 finding must be listed
		fix   string   // the text the first finding's edit inserts, when given
	}{
		{
			name:  "the configured command without a mount",
			tools: []rules.ExtraTool{installer},
			src:   "FROM debian:12\nWORKDIR /app\nCOPY . .\nRUN ./scripts/install-deps --all\n",
			want:  []string{"4:5 `./scripts/install-deps --all` runs without a cache mount on the my-installer cache (/root/.cache/my-installer)"},
			fix:   " --mount=type=cache,target=/root/.cache/my-installer",
		},
		{
			name:  "with a mount on its directory",
			tools: []rules.ExtraTool{installer},
			src:   "FROM debian:12\nWORKDIR /app\nCOPY . .\nRUN --mount=type=cache,target=/root/.cache/my-installer ./scripts/install-deps\n",
		},
		{
			name:  "with a mount on a directory above",
			tools: []rules.ExtraTool{installer},
			src:   "FROM debian:12\nWORKDIR /app\nCOPY . .\nRUN --mount=type=cache,target=/root/.cache ./scripts/install-deps\n",
		},
		{
			name: "without the configuration the script is not known",
			src:  "FROM debian:12\nWORKDIR /app\nCOPY . .\nRUN ./scripts/install-deps\n",
		},
		{
			name:  "the same script by another relative path after cd",
			tools: []rules.ExtraTool{installer},
			src:   "FROM debian:12\nWORKDIR /\nCOPY . /app\nRUN cd /app && scripts/install-deps\n",
			want:  []string{"4:16 my-installer cache"},
		},
		{
			name:  "the same script by its absolute path",
			tools: []rules.ExtraTool{installer},
			src:   "FROM debian:12\nWORKDIR /app\nCOPY . .\nRUN /app/scripts/install-deps\n",
			want:  []string{"4:5 my-installer cache"},
		},
		{
			name:  "another script of the same name elsewhere is not it",
			tools: []rules.ExtraTool{installer},
			src:   "FROM debian:12\nWORKDIR /app\nCOPY . .\nRUN /opt/scripts/install-deps\n",
		},
		{
			name:  "a program named without a directory matches by base name",
			tools: []rules.ExtraTool{byBase},
			src:   "FROM debian:12\nRUN /usr/local/bin/fetch-all\n",
			want:  []string{"2:5 the fetcher cache (/root/.cache/fetcher)"},
		},
		{
			name:  "the arguments of the prefix must follow",
			tools: []rules.ExtraTool{makeDeps},
			src:   "FROM debian:12\nWORKDIR /src\nCOPY . .\nRUN make build && make deps -j4\n",
			want:  []string{"4:19 the make-deps cache (/var/cache/deps) and the make-deps cache (/root/.deps)"},
		},
		{
			name:  "an argument that is not known does not match",
			tools: []rules.ExtraTool{makeDeps},
			src:   "FROM debian:12\nARG TARGET\nRUN make $TARGET\n",
		},
		{
			name:  "one directory mounted, the other missing",
			tools: []rules.ExtraTool{makeDeps},
			src:   "FROM debian:12\nRUN --mount=type=cache,target=/var/cache/deps make deps\n",
			want:  []string{"2:47 the make-deps cache (/root/.deps)"},
		},
		{
			name:  "a directory under HOME follows USER, with its uid",
			tools: []rules.ExtraTool{byBase},
			src:   "FROM node:22\nUSER node\nRUN fetch-all\n",
			want:  []string{"3:5 the fetcher cache (/home/node/.cache/fetcher)"},
			fix:   " --mount=type=cache,target=/home/node/.cache/fetcher,uid=1000,gid=1000",
		},
		{
			name:  "HOME that cannot be known: not reported",
			tools: []rules.ExtraTool{byBase},
			src:   "FROM debian:12\nARG H\nENV HOME=$H\nRUN fetch-all\n",
		},
		{
			name:  "a configured tool comes before the table",
			tools: []rules.ExtraTool{npmOwn},
			src:   "FROM node:22\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\n",
			want:  []string{"4:5 the our npm cache (/cache/npm)"},
		},
		{
			name:  "the table still knows the tool's other commands",
			tools: []rules.ExtraTool{npmOwn},
			src:   "FROM node:22\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm install\n",
			want:  []string{"4:5 the npm cache (/root/.npm)"},
		},
		{
			name:  "Windows stages stay quiet",
			tools: []rules.ExtraTool{installer},
			src:   "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN ./scripts/install-deps\n",
		},
	}
	l, err := lint.New(rules.All())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "Dockerfile")
			if err := os.WriteFile(path, []byte(tc.src), 0o644); err != nil {
				t.Fatal(err)
			}
			s := lint.DefaultSettings(rules.All())
			s.Tools = tc.tools
			l.SettingsFor = func(lint.Unit) *lint.Settings { return s }
			res := l.Lint(lint.Unit{Path: "Dockerfile", AbsPath: path})
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			var got []lint.Finding
			for _, f := range res.Findings {
				if f.Code == "CL003" {
					got = append(got, f)
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d findings, want %d: %v", len(got), len(tc.want), got)
			}
			for i, w := range tc.want {
				pos, text, _ := strings.Cut(w, " ")
				f := got[i]
				if p := fmt.Sprintf("%d:%d", f.Line, f.Col); p != pos || !strings.Contains(f.Message, text) {
					t.Errorf("finding %s %q, want %s %q", p, f.Message, pos, text)
				}
			}
			if tc.fix != "" {
				if len(got[0].Fixes) == 0 || len(got[0].Fixes[0].Edits) == 0 || got[0].Fixes[0].Edits[0].NewText != tc.fix {
					t.Errorf("fix: %+v, want an edit inserting %q", got[0].Fixes, tc.fix)
				}
			}
		})
	}
}

// TestCheckExtraTool checks the validation of tool descriptions.
func TestCheckExtraTool(t *testing.T) {
	ok := rules.ExtraTool{Name: "x", Command: []string{"x"}, CacheDirs: []string{"/c", "~/.c", "~"}}
	if err := rules.CheckExtraTool(ok); err != nil {
		t.Errorf("%+v: %v", ok, err)
	}
	for _, bad := range []rules.ExtraTool{
		{Command: []string{"x"}, CacheDirs: []string{"/c"}},
		{Name: "x", CacheDirs: []string{"/c"}},
		{Name: "x", Command: []string{"x"}},
		{Name: "x", Command: []string{"x", ""}, CacheDirs: []string{"/c"}},
		{Name: "x", Command: []string{"x"}, CacheDirs: []string{"cache"}},
		{Name: "x", Command: []string{"x"}, CacheDirs: []string{"~user/c"}},
	} {
		if rules.CheckExtraTool(bad) == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}
