// Package lint is cachelint's driver: it runs the rules, which are
// go/analysis analyzers, over build units, and turns their diagnostics into
// sorted, de-duplicated findings.
package lint

import (
	"cmp"
	"errors"
	"fmt"
	"go/token"
	"go/types"
	"io/fs"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/buildcontext"
	"github.com/cachelint/cachelint/dockerfile"
	"github.com/cachelint/cachelint/rules"
	"github.com/cachelint/cachelint/suppress"
)

// DefaultMaxFileSize is the largest file cachelint reads unless told
// otherwise.
const DefaultMaxFileSize = 16 << 20

// Unit is a build unit: a Dockerfile and its build context.
type Unit struct {
	Path       string // path as shown to the user
	AbsPath    string // absolute path of the Dockerfile
	ContextDir string // build context directory; "" for the Dockerfile's directory
	// Src is the Dockerfile's content when it does not come from disk
	// (standard input); nil means read AbsPath.
	Src []byte
}

// Linter runs a fixed set of rules.
type Linter struct {
	rules       []*rules.Rule
	byAnalyzer  map[*analysis.Analyzer]*rules.Rule
	order       []*analysis.Analyzer // dependencies first
	MaxFileSize int64
	Jobs        int // files linted at once; 0 means GOMAXPROCS
	// Root is the directory the paths in fingerprints are relative to,
	// the repository root; "" means each unit's Path as given.
	Root string
	// SettingsFor returns the settings of a unit; nil means the defaults
	// for every unit. It must return the same *Settings for units that
	// share them: the analyzers to run are worked out once for each.
	SettingsFor func(u Unit) *Settings
	defaults    *Settings
	lister      *buildcontext.Lister
	plans       sync.Map // planKey → []*analysis.Analyzer to run
	// configRule marks the analyzers of the rules that check the build
	// configuration, which run over repositories, not Dockerfiles.
	configRule map[*analysis.Analyzer]bool
}

// planKey identifies a plan: the settings, and whether it is for a
// repository's build configuration or a Dockerfile.
type planKey struct {
	settings *Settings
	config   bool
}

// New returns a Linter for the given rules after checking the analyzer
// graph with analysis.Validate.
func New(rs []*rules.Rule) (*Linter, error) {
	l := &Linter{rules: rs, byAnalyzer: map[*analysis.Analyzer]*rules.Rule{}, MaxFileSize: DefaultMaxFileSize,
		defaults: DefaultSettings(rs), lister: &buildcontext.Lister{}, configRule: map[*analysis.Analyzer]bool{}}
	var roots []*analysis.Analyzer
	for _, r := range rs {
		l.byAnalyzer[r.Analyzer] = r
		roots = append(roots, r.Analyzer)
		if r.Config() {
			l.configRule[r.Analyzer] = true
		}
	}
	if err := analysis.Validate(roots); err != nil {
		return nil, err
	}
	seen := map[*analysis.Analyzer]bool{}
	var visit func(a *analysis.Analyzer)
	visit = func(a *analysis.Analyzer) {
		if seen[a] {
			return
		}
		seen[a] = true
		for _, req := range a.Requires {
			visit(req)
		}
		l.order = append(l.order, a)
	}
	for _, a := range roots {
		visit(a)
	}
	visit(suppress.Analyzer) // the driver applies the suppressions whatever rules run
	visit(secretAnalyzer)    // and masks secrets whatever rules run (see secrets.go)
	return l, nil
}

// settings returns the unit's settings.
func (l *Linter) settings(u Unit) *Settings {
	if l.SettingsFor != nil {
		if s := l.SettingsFor(u); s != nil {
			return s
		}
	}
	return l.defaults
}

// plan returns the analyzers to run under s, dependencies first: the rules
// that are on and what they require, either those that check the build
// configuration (config) or those that check a Dockerfile.
func (l *Linter) plan(s *Settings, config bool) []*analysis.Analyzer {
	key := planKey{s, config}
	if p, ok := l.plans.Load(key); ok {
		return p.([]*analysis.Analyzer)
	}
	need := map[*analysis.Analyzer]bool{}
	var mark func(a *analysis.Analyzer)
	mark = func(a *analysis.Analyzer) {
		if need[a] {
			return
		}
		need[a] = true
		for _, r := range a.Requires {
			mark(r)
		}
	}
	for _, r := range l.rules {
		if s.On(r.Code) && l.configRule[r.Analyzer] == config {
			mark(r.Analyzer)
		}
	}
	if !config {
		mark(suppress.Analyzer)
		mark(secretAnalyzer)
	}
	var p []*analysis.Analyzer
	for _, a := range l.order {
		if need[a] {
			p = append(p, a)
		}
	}
	v, _ := l.plans.LoadOrStore(key, p)
	return v.([]*analysis.Analyzer)
}

// LintAll lints Dockerfile units and the build configuration of
// repositories concurrently and returns their results sorted by path; the
// output is the same as a serial run's.
func (l *Linter) LintAll(units []Unit, repos ...RepoUnit) []FileResult {
	results := make([][]FileResult, len(units)+len(repos))
	jobs := l.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(jobs, max(len(results), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if i < len(repos) {
					results[i] = l.LintRepo(repos[i])
				} else {
					results[i] = []FileResult{l.Lint(units[i-len(repos)])}
				}
			}
		}()
	}
	// Repositories first: each is more work than a Dockerfile.
	for i := range results {
		next <- i
	}
	close(next)
	wg.Wait()
	out := make([]FileResult, 0, len(results))
	for _, rs := range results {
		out = append(out, rs...)
	}
	slices.SortStableFunc(out, func(a, b FileResult) int { return cmp.Compare(a.Path, b.Path) })
	return out
}

// Lint lints one build unit.
func (l *Linter) Lint(u Unit) FileResult {
	res := FileResult{Path: u.Path, AbsPath: u.AbsPath}
	src := u.Src
	if src == nil {
		var err error
		if src, err = l.readFile(u.AbsPath); err != nil {
			res.Err = err
			return res
		}
	}
	if err := checkText(src); err != nil {
		res.Err = err
		return res
	}
	res.Lines = splitLines(src)

	files := map[string][]byte{u.Path: src}
	fset := token.NewFileSet()
	tf := fset.AddFile(u.Path, -1, len(src))
	tf.SetLinesForContent(src)
	other := []string{u.Path}
	name, data, ok := l.dockerignore(u)
	if ok {
		files[name] = data
		itf := fset.AddFile(name, -1, len(data))
		itf.SetLinesForContent(data)
		other = append(other, name)
	}
	settings := l.settings(u)
	provided := map[*analysis.Analyzer]any{
		buildcontext.Analyzer: buildcontext.New(contextDir(u), name, data, l.lister),
		rules.ConfiguredTools: settings.Tools,
	}
	diags, results, err := l.run(l.plan(settings, false), fset, other, files, provided)
	if err != nil {
		res.Err = err
	}
	res.Findings = l.findings(fset, u, diags, settings)
	if set, ok := results[suppress.Analyzer].(*suppress.Set); ok {
		res.Findings = l.suppressed(fset, u, set, res.Findings, settings)
	}
	f, _ := results[dockerfile.Analyzer].(*dockerfile.File)
	sec := findSecrets(f, diags)
	sec.apply(res.Findings)
	res.Secrets = sec.ranges
	setFingerprints(res.Findings, f, res.Lines, RepoPath(l.Root, u.AbsPath, u.Path), sec)
	if f != nil && f.ParseErr != nil && res.Err == nil {
		res.Err = fmt.Errorf("BuildKit cannot parse it: %w", f.ParseErr)
	}
	return res
}

type diag struct {
	analysis.Diagnostic
	analyzer *analysis.Analyzer
}

// run runs the analyzers of a plan, in its order, over one unit. The results
// of the analyzers in provided (the unit's inputs that are not files, such
// as its build context) are given, not computed.
func (l *Linter) run(plan []*analysis.Analyzer, fset *token.FileSet, other []string, files map[string][]byte, provided map[*analysis.Analyzer]any) ([]diag, map[*analysis.Analyzer]any, error) {
	results := make(map[*analysis.Analyzer]any, len(plan))
	failed := map[*analysis.Analyzer]bool{}
	var diags []diag
	var errs []error
	readFile := func(name string) ([]byte, error) {
		if data, ok := files[name]; ok {
			return data, nil
		}
		return nil, fmt.Errorf("%s is not part of the build unit", name)
	}
	// One pass serves every analyzer in turn. ResultOf holds every result
	// so far, a superset of what an analyzer Requires.
	pass := &analysis.Pass{
		Fset:       fset,
		OtherFiles: other,
		Pkg:        types.NewPackage("dockerfile", "dockerfile"),
		TypesInfo:  &types.Info{}, // no Go code: empty
		ResultOf:   results,
		ReadFile:   readFile,
	}
	pass.Report = func(d analysis.Diagnostic) { diags = append(diags, diag{d, pass.Analyzer}) }
	for _, a := range plan {
		if res, ok := provided[a]; ok {
			results[a] = res
			continue
		}
		if slices.ContainsFunc(a.Requires, func(r *analysis.Analyzer) bool { return failed[r] }) {
			failed[a] = true
			continue
		}
		pass.Analyzer = a
		res, err := runAnalyzer(pass)
		if err != nil {
			failed[a] = true
			errs = append(errs, fmt.Errorf("rule %s: %w", a.Name, err))
			continue
		}
		results[a] = res
	}
	return diags, results, errors.Join(errs...)
}

// runAnalyzer runs one analyzer, turning a panic into an error so that one
// broken rule cannot take the whole run down.
func runAnalyzer(pass *analysis.Pass) (res any, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error: %v", r)
		}
	}()
	return pass.Analyzer.Run(pass)
}

// findings converts diagnostics to sorted, de-duplicated findings.
// Findings of rules that are off under settings are dropped; the others
// get the severity settings give them.
func (l *Linter) findings(fset *token.FileSet, u Unit, diags []diag, settings *Settings) []Finding {
	out := make([]Finding, 0, len(diags))
	for _, d := range diags {
		r := l.byAnalyzer[d.analyzer]
		if r == nil {
			continue // a model analyzer reported something: not a rule's finding
		}
		start := fset.Position(d.Pos)
		end := start
		if d.End.IsValid() {
			end = fset.Position(d.End)
		}
		f := Finding{
			Path: u.Path, AbsPath: u.AbsPath,
			Line: start.Line, Col: start.Column, EndLine: end.Line, EndCol: end.Column,
			Code: r.Code, Rule: r.Name(), Severity: r.Severity,
			Message: d.Message, URL: cmp.Or(d.URL, r.URL()),
		}
		raise, lower := d.Category == rules.RaiseToError, d.Category == rules.LowerToInfo
		if d.Category != "" && d.Category != r.Code && !raise && !lower {
			f.Code = d.Category
		}
		if f.Severity = settings.Severity[f.Code]; f.Severity == rules.SeverityNone {
			continue
		}
		switch {
		case raise:
			f.Severity = rules.SeverityError
		case lower:
			f.Severity = rules.SeverityInfo
		}
		for _, sf := range d.SuggestedFixes {
			fix := Fix{Message: sf.Message}
			for _, e := range sf.TextEdits {
				s, t := fset.Position(e.Pos), fset.Position(e.Pos)
				if e.End.IsValid() {
					t = fset.Position(e.End)
				}
				fix.Edits = append(fix.Edits, Edit{Line: s.Line, Col: s.Column, EndLine: t.Line, EndCol: t.Column, NewText: string(e.NewText)})
			}
			f.Fixes = append(f.Fixes, fix)
		}
		out = append(out, f)
	}
	slices.SortFunc(out, compareFindings)
	return slices.CompactFunc(out, func(a, b Finding) bool {
		return a.Line == b.Line && a.Col == b.Col && a.Code == b.Code && a.Message == b.Message
	})
}

func compareFindings(a, b Finding) int {
	return cmp.Or(
		cmp.Compare(a.Line, b.Line),
		cmp.Compare(a.Col, b.Col),
		cmp.Compare(a.Code, b.Code),
		cmp.Compare(a.Message, b.Message),
	)
}

// readFile reads a regular file, refusing anything larger than the limit.
func (l *Linter) readFile(name string) ([]byte, error) {
	return ReadFile(name, l.MaxFileSize)
}

// Cause drops the path from a *fs.PathError, so that a message that
// already names the file does not name it twice.
func Cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// contextDir is the unit's build context directory, "" when unknown (a
// Dockerfile from standard input with no name).
func contextDir(u Unit) string {
	if u.AbsPath == "" {
		return ""
	}
	return cmp.Or(u.ContextDir, filepath.Dir(u.AbsPath))
}

// dockerignore finds the ignore file of a unit's context: first
// <Dockerfile name>.dockerignore beside the Dockerfile, then .dockerignore
// at the context root, as BuildKit does.
func (l *Linter) dockerignore(u Unit) (string, []byte, bool) {
	if u.AbsPath == "" {
		return "", nil, false
	}
	candidates := []string{u.AbsPath + ".dockerignore", filepath.Join(contextDir(u), ".dockerignore")}
	for _, c := range candidates {
		if !l.lister.Has(c) {
			continue
		}
		if data, err := l.readFile(c); err == nil {
			return c, data, true
		}
	}
	return "", nil, false
}

// splitLines splits src into lines without their line endings.
func splitLines(src []byte) []string {
	s := string(src)
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return []string{""}
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}
