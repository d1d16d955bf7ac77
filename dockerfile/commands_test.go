package dockerfile

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// cmds parses a Dockerfile and returns the commands of its RUN on the given
// line as "argv|dir|line:col" strings (argv joined by spaces, ~ marking a
// non-literal word).
func cmds(t *testing.T, src string, line int) []string {
	t.Helper()
	f := Parse("Dockerfile", []byte(src), nil)
	if f.ParseErr != nil {
		t.Fatalf("parse: %v", f.ParseErr)
	}
	for _, in := range f.Instructions {
		if in.StartLine != line {
			continue
		}
		if in.Run == nil {
			t.Fatalf("line %d is %s, not RUN", line, in.Keyword)
		}
		out := []string{}
		for _, c := range in.Run.Commands {
			words := make([]string, len(c.Args))
			for i, a := range c.Args {
				words[i] = a.Value
				if !a.Lit {
					words[i] = "~" + a.Value
				}
			}
			p := f.Tok.Position(c.Pos)
			out = append(out, fmt.Sprintf("%s|%s|%d:%d", strings.Join(words, " "), c.Dir, p.Line, p.Column))
		}
		return out
	}
	t.Fatalf("no instruction starts on line %d", line)
	return nil
}

func TestCommands(t *testing.T) {
	tests := []struct {
		name string
		src  string
		line int
		want []string
	}{
		{"and-or-semicolon", "FROM a\nWORKDIR /w\nRUN a && b || c; d\n", 3,
			[]string{"a|/w|3:5", "b|/w|3:10", "c|/w|3:15", "d|/w|3:18"}},
		{"pipe", "FROM a\nRUN curl -s x | tar xz\n", 2,
			[]string{"curl -s x|/|2:5", "tar xz|/|2:17"}},
		{"subshell-cd-does-not-leak", "FROM a\nWORKDIR /w\nRUN (cd sub && make) && npm ci\n", 3,
			[]string{"cd sub|/w/sub|3:6", "make|/w/sub|3:16", "npm ci|/w|3:25"}},
		{"block-and-if", "FROM a\nRUN { a; } && if [ -f x ]; then b; else c; fi\n", 2,
			[]string{"a|/|2:7", "[ -f x ]|/|2:18", "b|/|2:33", "c|/|2:41"}},
		{"for-while", "FROM a\nRUN for i in 1 2; do a $i; done; while b; do c; done\n", 2,
			[]string{"a ~$i|/|2:22", "b|/|2:40", "c|/|2:46"}},
		{"sh-c-single", "FROM a\nRUN sh -c 'npm ci && go build'\n", 2,
			[]string{"npm ci|/|2:12", "go build|/|2:22"}},
		{"bash-c-double", "FROM a\nRUN bash -c \"pip install -r r.txt\"\n", 2,
			[]string{"pip install -r r.txt|/|2:14"}},
		{"sh-ec", "FROM a\nRUN sh -ec 'cargo build'\n", 2,
			[]string{"cargo build|/|2:13"}},
		{"nested-sh-c", "FROM a\nRUN sh -c \"bash -c 'mvn package'\"\n", 2,
			[]string{"mvn package|/|2:21"}},
		{"env-prefix", "FROM a\nRUN FOO=1 BAR=2 npm ci\n", 2,
			[]string{"npm ci|/|2:17"}},
		{"env-command", "FROM a\nRUN env A=1 -u B npm ci\n", 2,
			[]string{"npm ci|/|2:18"}},
		{"sudo", "FROM a\nRUN sudo -u bob -E pip install -r r.txt\n", 2,
			[]string{"pip install -r r.txt|/|2:20"}},
		{"sudo-cluster", "FROM a\nRUN sudo -Eu node npm ci\n", 2,
			[]string{"npm ci|/|2:19"}},
		{"exec-time-nice", "FROM a\nRUN exec a; time b; nice -n 5 c\n", 2,
			[]string{"a|/|2:10", "b|/|2:18", "c|/|2:31"}},
		{"cd-chain", "FROM a\nWORKDIR /app\nRUN cd web && npm ci && cd .. && cd /abs && make\n", 3,
			[]string{"cd web|/app/web|3:5", "npm ci|/app/web|3:15", "cd ..|/app|3:25", "cd /abs|/abs|3:34", "make|/abs|3:45"}},
		{"cd-unknown", "FROM a\nRUN cd $SOMEWHERE && npm ci\n", 2,
			[]string{"cd ~$SOMEWHERE||2:5", "npm ci||2:22"}},
		{"arg-resolved", "FROM a\nARG V=1.2\nRUN pip install foo==$V\n", 3,
			[]string{"pip install foo==1.2|/|3:5"}},
		{"arg-unknown", "FROM a\nARG V\nRUN pip install foo==$V\n", 3,
			[]string{"pip install ~foo==$V|/|3:5"}},
		{"command-substitution", "FROM a\nRUN go build -ldflags \"-X v=$(git rev-parse HEAD)\"\n", 2,
			[]string{"go build -ldflags ~-X v=$(git rev-parse HEAD)|/|2:5"}},
		{"export", "FROM a\nRUN export GOFLAGS=-mod=vendor && go build\n", 2,
			[]string{"go build|/|2:35"}},
		{"exec-form", "FROM a\nRUN [\"npm\", \"ci\"]\n", 2,
			[]string{"npm ci|/|2:7"}},
		{"exec-form-sh-c", "FROM a\nRUN [\"sh\", \"-c\", \"npm ci && go build\"]\n", 2,
			[]string{"npm ci|/|2:19", "go build|/|2:29"}},
		{"continuation", "FROM a\nRUN apt-get update && \\\n    # a comment\n\n    apt-get install -y git\n", 2,
			[]string{"apt-get update|/|2:5", "apt-get install -y git|/|5:5"}},
		{"escape-backtick", "# escape=`\nFROM a\nRUN npm ci && `\n    npm run build\n", 3,
			[]string{"npm ci|/|3:5", "npm run build|/|4:5"}},
		{"crlf", "FROM a\r\nRUN a && \\\r\n    b\r\n", 2,
			[]string{"a|/|2:5", "b|/|3:5"}},
		{"lowercase", "from a\nrun npm ci\n", 2,
			[]string{"npm ci|/|2:5"}},
		{"heredoc-lone", "FROM a\nRUN <<EOF\nset -e\nnpm ci\nEOF\n", 2,
			[]string{"set -e|/|3:1", "npm ci|/|4:1"}},
		{"heredoc-dash", "FROM a\nRUN <<-EOF\n\tnpm ci\n\tEOF\n", 2,
			[]string{"npm ci|/|3:2"}},
		{"heredoc-python", "FROM a\nRUN python3 <<EOF\nimport os\nEOF\n", 2,
			[]string{"python3|/|2:5"}},
		{"heredoc-bash-stdin", "FROM a\nRUN bash -e <<EOF\ncargo build\nEOF\n", 2,
			[]string{"cargo build|/|3:1"}},
		{"heredoc-cat", "FROM a\nRUN cat <<EOF > /etc/x\nnpm ci\nEOF\n", 2,
			[]string{"cat|/|2:5"}},
		{"heredoc-shebang-python", "FROM a\nRUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\n", 2,
			[]string{}},
		{"heredoc-two-lone", "FROM a\nRUN <<A <<B\nnpm ci\nA\ngo build\nB\n", 2,
			[]string{}},
		{"powershell", "FROM a\nSHELL [\"powershell\", \"-command\"]\nRUN npm ci\n", 3,
			[]string{}},
		{"unparseable-shell", "FROM a\nRUN echo 'unbalanced\n", 2,
			[]string{}},
		{"mount-flags-skipped", "FROM a\nRUN --mount=type=cache,target=/root/.npm --network=none npm ci\n", 2,
			[]string{"npm ci|/|2:57"}},
		// Found by fuzzing: a wrapper whose last flag lacks its value, or
		// gosu without a user, wraps nothing (it used to panic).
		{"wrapper-flag-without-value", "FROM a\nRUN sudo -C; xargs -a; env -u; gosu; timeout\n", 2,
			[]string{}},
		{"invalid-utf8", "FROM a\nRUN echo \"caf\xe9\" \xff && npm ci\n", 2,
			[]string{"echo ~caf_ ~_|/|2:5", "npm ci|/|2:22"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := cmds(t, tt.src, tt.line)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("commands:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestFieldSplitting: an unquoted variable whose value has blanks is
// split into fields, as the shell splits it; a quoted one is one word.
func TestFieldSplitting(t *testing.T) {
	f := Parse("Dockerfile", []byte("FROM a\nARG PKGS=\"curl  git\"\nRUN apt-get install -y $PKGS \"$PKGS\"\n"), nil)
	got := f.Instructions[2].Run.Commands[0].Argv()
	want := []string{"apt-get", "install", "-y", "curl", "git", "curl  git"}
	if !slices.Equal(got, want) {
		t.Errorf("argv %q, want %q", got, want)
	}
}

func TestCommandEnv(t *testing.T) {
	f := Parse("Dockerfile", []byte("FROM a\nRUN export X=1; FOO=bar env A=2 npm ci\n"), nil)
	c := f.Instructions[1].Run.Commands[0]
	for k, want := range map[string]string{"X": "1", "FOO": "bar", "A": "2"} {
		if got, ok := c.Getenv(f.Instructions[1], k); !ok || got != want {
			t.Errorf("%s = %q, %v; want %q", k, got, ok, want)
		}
	}
	if c.Name() != "npm" {
		t.Errorf("Name() = %q", c.Name())
	}
}

func TestCommandRedirects(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // per command: argv, then each redirect as "op fd target body"
	}{
		{"truncate-and-append", "FROM a\nRUN : > /etc/x && echo 'k \"v\";' >> /etc/y\n",
			[]string{": [> _ /etc/x _]", "echo k \"v\"; [>> _ /etc/y _]"}},
		{"fd-and-input", "FROM a\nRUN make 2>/dev/null < in.txt\n",
			[]string{"make [> 2 /dev/null _] [< _ in.txt _]"}},
		{"heredoc-body", "FROM a\nRUN cat <<'EOF' > /etc/apt/apt.conf.d/keep\nA \"true\";\nEOF\n",
			[]string{"cat [<< _ EOF A \"true\";\n] [> _ /etc/apt/apt.conf.d/keep _]"}},
		{"sh-c-inner", "FROM a\nRUN sh -c 'echo x > /tmp/f'\n",
			[]string{"echo x [> _ /tmp/f _]"}},
		{"variable-target", "FROM a\nARG D=/etc\nARG U\nRUN echo a > $D/f; echo b > $U/g\n",
			[]string{"echo a [> _ /etc/f _]", "echo b [> _ ~$U/g _]"}},
		{"exec-form-none", "FROM a\nRUN [\"echo\", \">\", \"f\"]\n",
			[]string{"echo > f"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Parse("Dockerfile", []byte(tt.src), nil)
			if f.ParseErr != nil {
				t.Fatal(f.ParseErr)
			}
			var got []string
			for _, c := range f.Instructions[len(f.Instructions)-1].Run.Commands {
				s := strings.Join(c.Argv(), " ")
				for _, r := range c.Redirs {
					target := r.Target.Value
					if !r.Target.Lit {
						target = "~" + target
					}
					s += fmt.Sprintf(" [%s %s %s %s]", r.Op, or(r.Fd), target, or(r.Body))
				}
				got = append(got, s)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func or(s string) string {
	if s == "" {
		return "_"
	}
	return s
}

func TestRedirectWrites(t *testing.T) {
	f := Parse("Dockerfile", []byte("FROM a\nRUN echo a > /f1 >> /f2 < /f3 &> /f4\n"), nil)
	var got []string
	for _, r := range f.Instructions[1].Run.Commands[0].Redirs {
		file, app, ok := r.Writes()
		got = append(got, fmt.Sprintf("%s:%v:%v", file, app, ok))
	}
	want := "/f1:false:true /f2:true:true :false:false /f4:false:true"
	if strings.Join(got, " ") != want {
		t.Errorf("Writes = %q, want %q", strings.Join(got, " "), want)
	}
}

// TestUnknownAssignment checks that a variable set from a command's output
// is not taken for a known value, in the command's env or in a later word.
func TestUnknownAssignment(t *testing.T) {
	f := Parse("Dockerfile", []byte("FROM alpine\nRUN V=$(cat version) && export D=$(pwd) && curl https://x/$V/y && cd $D && make\n"), nil)
	run := f.Instructions[1]
	var curl, mk *Command
	for _, c := range run.Run.Commands {
		switch c.Name() {
		case "curl":
			curl = c
		case "make":
			mk = c
		}
	}
	if curl == nil || mk == nil {
		t.Fatal("commands not found")
	}
	if curl.Args[1].Lit {
		t.Errorf("curl's URL uses $V, set from a command's output: it must not be literal (%q)", curl.Args[1].Value)
	}
	if v, ok := mk.Getenv(run, "D"); ok {
		t.Errorf("Getenv(D) = %q, known; want unknown", v)
	}
	if mk.Dir != "" {
		t.Errorf("cd to an unknown directory: Dir = %q, want unknown", mk.Dir)
	}
}

// TestCommandFiles checks the files named by redirections.
func TestCommandFiles(t *testing.T) {
	src := "FROM a\nARG F=/in.txt\nRUN patch -p1 < /x.patch && echo hi > out.txt 2>&1 && cat <<EOF\nbody\nEOF\nRUN sort < $F\n"
	f := Parse("Dockerfile", []byte(src), nil)
	if f.ParseErr != nil {
		t.Fatal(f.ParseErr)
	}
	var got []string
	for _, in := range f.Instructions {
		if in.Run == nil {
			continue
		}
		for _, c := range in.Run.Commands {
			var rs []string
			for _, r := range c.Files() {
				rs = append(rs, r.Value)
			}
			got = append(got, c.Name()+":"+strings.Join(rs, ","))
		}
	}
	want := []string{"patch:/x.patch", "echo:out.txt", "cat:", "sort:/in.txt"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestSwitchedUser checks the user that sudo, gosu, su-exec and runuser
// run their command as.
func TestSwitchedUser(t *testing.T) {
	cases := map[string]string{
		"sudo npm ci":                "root",
		"sudo -u app npm ci":         "app",
		"sudo -Eu app npm ci":        "app",
		"sudo --user=app npm ci":     "app",
		"sudo --user app npm ci":     "app",
		"gosu app:app npm ci":        "app",
		"su-exec 1000 npm ci":        "1000",
		"su-exec $U npm ci":          "$",
		"runuser -u app -- npm ci":   "app",
		"env A=1 npm ci":             "",
		"npm ci":                     "",
		"sudo -u app sh -c 'npm ci'": "app",
	}
	for src, want := range cases {
		f := Parse("Dockerfile", []byte("FROM a\nARG U\nRUN "+src+"\n"), nil)
		cmds := f.Instructions[2].Run.Commands
		if len(cmds) == 0 {
			t.Errorf("%s: no command", src)
			continue
		}
		c := cmds[len(cmds)-1]
		if c.Name() != "npm" || c.User != want {
			t.Errorf("%s: %s runs as %q, want npm as %q", src, c.Name(), c.User, want)
		}
	}
}
