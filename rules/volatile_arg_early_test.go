package rules

import (
	"go/token"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/dockerfile"
)

func TestVolatileKind(t *testing.T) {
	tests := map[string]string{
		"GIT_SHA": volatileCommit, "GIT_COMMIT": volatileCommit, "COMMIT_SHA": volatileCommit,
		"SOURCE_COMMIT": volatileCommit, "VCS_REF": volatileCommit, "REVISION": volatileCommit,
		"SHORT_SHA": volatileCommit, "CI_COMMIT_SHA": volatileCommit, "CI_COMMIT_SHORT_SHA": volatileCommit,
		"GITHUB_SHA": volatileCommit, "gitCommit": volatileCommit, "GITCOMMIT": volatileCommit,
		"GIT_COMMIT_SHORT": volatileCommit, "COMMIT_ID": volatileCommit, "PRODUCT_REVISION": volatileCommit,
		"GIT_REF": volatileCommit, "COMMIT_HASH": volatileCommit, "SHA": volatileCommit, "git_commit": volatileCommit,
		"BUILD_DATE": volatileTime, "BUILD_TIME": volatileTime, "BUILD_TIMESTAMP": volatileTime,
		"TIMESTAMP": volatileTime, "DATE": volatileTime, "BUILDDATE": volatileTime, "buildDate": volatileTime,
		"BUILD_NUMBER": volatileCounter, "BUILD_ID": volatileCounter, "RUN_ID": volatileCounter,
		"CI_PIPELINE_ID": volatileCounter, "CI_JOB_ID": volatileCounter, "GITHUB_RUN_NUMBER": volatileCounter,
		"GITHUB_RUN_ATTEMPT": volatileCounter, "TRAVIS_BUILD_NUMBER": volatileCounter,
		"CACHEBUST": volatileCacheBust, "CACHE_BUST": volatileCacheBust, "CACHEBUSTER": volatileCacheBust,
		"cacheBust": volatileCacheBust,
		// not volatile
		"VERSION": "", "APP_VERSION": "", "RELEASE": "", "GOLANG_COMMIT": "", "NODE_SHA256": "",
		"NODE_SHA": "", "BASE_IMAGE_SHA": "", "CHROMIUM_REVISION": "", "SOURCE_DATE_EPOCH": "",
		"REF": "", "HASH": "", "GITHUB_REF": "", "TIME": "", "USER_ID": "", "BUILD_TIMEOUT": "",
		"STOP_FAILING_TIME": "", "RELEASE_DATE": "", "COMMON_SCRIPT_SHA": "", "CI_COMMIT_REF_NAME": "",
		"GIT_BRANCH": "", "BUILD": "", "PASSWORD_HASH": "", "DATE_FORMAT": "",
	}
	for name, want := range tests {
		if got := volatileKind(name); got != want {
			t.Errorf("volatileKind(%q) = %q, want %q (words %q)", name, got, want, nameWords(name))
		}
	}
}

// runVolatileRule runs CL011 over src and returns its diagnostics.
func runVolatileRule(t *testing.T, src string) ([]analysis.Diagnostic, *token.File) {
	t.Helper()
	fset := token.NewFileSet()
	tf := fset.AddFile("Dockerfile", -1, len(src))
	tf.SetLinesForContent([]byte(src))
	f := dockerfile.Parse("Dockerfile", []byte(src), tf)
	if f.ParseErr != nil {
		t.Fatalf("parse: %v", f.ParseErr)
	}
	var diags []analysis.Diagnostic
	pass := &analysis.Pass{
		Analyzer: VolatileArgEarly,
		Fset:     fset,
		ResultOf: map[*analysis.Analyzer]any{dockerfile.Analyzer: f},
		Report:   func(d analysis.Diagnostic) { diags = append(diags, d) },
	}
	if _, err := VolatileArgEarly.Run(pass); err != nil {
		t.Fatal(err)
	}
	return diags, tf
}

// applyEdits applies text edits, which must not overlap, to src.
func applyEdits(tf *token.File, src string, edits []analysis.TextEdit) string {
	edits = slices.Clone(edits)
	slices.SortFunc(edits, func(a, b analysis.TextEdit) int { return int(b.Pos - a.Pos) })
	for _, e := range edits {
		start, end := tf.Offset(e.Pos), tf.Offset(e.End)
		src = src[:start] + string(e.NewText) + src[end:]
	}
	return src
}

// TestVolatileArgMoveFix checks the edits that move the ARG: the result is
// the expected Dockerfile, and linting it again reports nothing.
func TestVolatileArgMoveFix(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{
			name: "before the RUN that uses it",
			src: `FROM golang:1.24
ARG GIT_COMMIT
RUN apt-get update && apt-get install -y git
COPY . .
RUN go build -ldflags "-X main.commit=$GIT_COMMIT" .
`,
			want: `FROM golang:1.24
RUN apt-get update && apt-get install -y git
COPY . .
ARG GIT_COMMIT
RUN go build -ldflags "-X main.commit=$GIT_COMMIT" .
`,
		},
		{
			name: "continued over lines, with comments above the target, CRLF",
			src:  "FROM debian:bookworm\r\nARG \\\r\n    BUILD_DATE\r\nRUN apt-get update && \\\r\n    apt-get install -y curl\r\n# metadata\r\nLABEL created=$BUILD_DATE\r\n",
			want: "FROM debian:bookworm\r\nRUN apt-get update && \\\r\n    apt-get install -y curl\r\nARG \\\r\n    BUILD_DATE\r\n# metadata\r\nLABEL created=$BUILD_DATE\r\n",
		},
		{
			name: "escape backtick, below the last install",
			src:  "# escape=`\nFROM debian:bookworm\nARG `\n  GIT_SHA=dev\nRUN apt-get install -y `\n    curl\nCOPY app /app\n",
			want: "# escape=`\nFROM debian:bookworm\nRUN apt-get install -y `\n    curl\nARG `\n  GIT_SHA=dev\nCOPY app /app\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			diags, tf := runVolatileRule(t, tt.src)
			if len(diags) != 1 || len(diags[0].SuggestedFixes) != 1 || len(diags[0].SuggestedFixes[0].TextEdits) == 0 {
				t.Fatalf("want one finding with edits, got %+v", diags)
			}
			got := applyEdits(tf, tt.src, diags[0].SuggestedFixes[0].TextEdits)
			if got != tt.want {
				t.Fatalf("fixed file:\n%s\nwant:\n%s", got, tt.want)
			}
			if again, _ := runVolatileRule(t, got); len(again) != 0 {
				t.Errorf("the fixed file is still reported: %s", again[0].Message)
			}
		})
	}
}

// TestVolatileArgNoEditWhenUnsafe checks that no edit is offered when the
// instruction declares other variables, when a LABEL that uses the ARG
// would have to move too, or when the ARG would move to another stage.
func TestVolatileArgNoEditWhenUnsafe(t *testing.T) {
	for _, src := range []string{
		"FROM debian\nARG GIT_SHA OTHER=1\nRUN apt-get install -y curl\nRUN echo $OTHER\n",
		"FROM debian\nARG GIT_SHA\nLABEL rev=$GIT_SHA\nRUN apt-get install -y curl\n",
		"FROM debian AS base\nARG GIT_SHA\nFROM base\nRUN apt-get install -y curl\n",
	} {
		diags, _ := runVolatileRule(t, src)
		if len(diags) != 1 {
			t.Fatalf("%q: want one finding, got %d", src, len(diags))
		}
		if fix := diags[0].SuggestedFixes[0]; len(fix.TextEdits) != 0 || !strings.HasPrefix(fix.Message, "move ") {
			t.Errorf("%q: unexpected fix %+v", src, fix)
		}
	}
}

// TestVolatileArgHelpSeveralChildStages checks the help when the ARG must
// leave its stage and more than one stage is built FROM that stage
// (huggingface/text-embeddings-inference): moving it into one of them
// would take it from the other, so the help names each stage that uses it.
func TestVolatileArgHelpSeveralChildStages(t *testing.T) {
	src := `FROM rust:1.80 AS builder
ARG GIT_SHA
RUN apt-get update && apt-get install -y protobuf-compiler
RUN cargo fetch

FROM builder AS http
RUN cargo build --release --features http

FROM builder AS grpc
RUN cargo build --release --features grpc
`
	diags, _ := runVolatileRule(t, src)
	if len(diags) != 1 {
		t.Fatalf("want one finding, got %d", len(diags))
	}
	fix := diags[0].SuggestedFixes[0]
	if !strings.Contains(fix.Message, "out of stage builder into each stage built FROM it that uses it") || len(fix.TextEdits) != 0 {
		t.Errorf("unexpected fix %+v", fix)
	}
	// One stage built FROM builder: the ARG moves into it.
	one, _, _ := strings.Cut(src, "\nFROM builder AS grpc")
	one += "\n"
	diags, _ = runVolatileRule(t, one)
	if len(diags) != 1 || strings.Contains(diags[0].SuggestedFixes[0].Message, "each stage") {
		t.Errorf("one child stage: unexpected findings %+v", diags)
	}
}
