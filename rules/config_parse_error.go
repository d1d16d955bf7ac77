package rules

import (
	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/buildconfig"
)

// ConfigParseError reports build configuration that cannot be read.
var ConfigParseError = &analysis.Analyzer{
	Name: "config_parse_error",
	Doc: `a CI workflow, bake file or script cannot be parsed

Why it matters for the cache: cachelint reads the build configuration to
check how the cache is exported and imported. A file it cannot parse (YAML
or HCL with a syntax error, a workflow that is not a mapping) is reported
here with the place of the problem, and its builds are not checked; the
Dockerfile rules and the other configuration files are checked as usual.
A CI system would usually refuse the same file, so the error is most often
real.

Example:

    jobs:
      build:
        steps:
          - uses: docker/build-push-action@v6
            with:
              cache-to: type=gha,mode=max
             push: true

Fix: correct the file as the message says (here: the indentation of
push).

Sources:
- https://yaml.org/spec/1.2.2/
- https://github.com/hashicorp/hcl/blob/main/hclsyntax/spec.md`,
	URL:      docURL("config-parse-error"),
	Requires: []*analysis.Analyzer{buildconfig.Analyzer},
	Run:      runConfigParseError,
}

func runConfigParseError(pass *analysis.Pass) (any, error) {
	repo, _ := pass.ResultOf[buildconfig.Analyzer].(*buildconfig.Repo)
	if repo == nil {
		return nil, nil
	}
	for _, e := range repo.Errors {
		pass.Report(analysis.Diagnostic{Pos: e.Pos, Message: "cannot parse this " + e.File.Kind.String() + ": " + e.Msg})
	}
	return nil, nil
}
