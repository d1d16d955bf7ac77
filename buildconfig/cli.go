package buildconfig

import (
	"go/token"
	"maps"
	"path"
	"regexp"
	"strings"

	"github.com/cachelint/cachelint/dockerfile"
)

// shellContext is what a script runs in: its CI job and step, the
// environment the configuration gives it, the builder chosen before it and
// the directory it starts in (repository-relative, "" for the root).
type shellContext struct {
	Job     *Job
	Step    *Step
	Env     map[string]Value
	Builder *Builder
	Dir     string
}

// ghExpr matches a GitHub Actions expression.
var ghExpr = regexp.MustCompile(`\$\{\{[^}]*(?:\}[^}][^}]*)*\}\}`)

// scanScript finds the builds a shell script runs: docker build, docker
// buildx build, docker image build, buildctl build, kaniko's executor and
// docker buildx bake. It follows the builder the script selects (docker
// buildx create --use, docker buildx use) and the environment it exports.
// GitHub expressions are kept verbatim in the values, which are dynamic.
func (l *loader) scanScript(f *File, script string, segs []dockerfile.Segment, sc *shellContext) {
	exprs := ghExpr.FindAllStringIndex(script, -1)
	masked := script
	if len(exprs) > 0 {
		b := []byte(script)
		for _, e := range exprs {
			// An unknown shell variable of the same length keeps every
			// position where it was.
			b[e[0]] = '$'
			for i := e[0] + 1; i < e[1]; i++ {
				b[i] = '_'
			}
		}
		masked = string(b)
	}
	known := map[string]string{}
	for k, v := range sc.Env {
		if !v.Dynamic {
			known[k] = v.Text
		}
	}
	s := &scan{l: l, f: f, sc: sc, script: script, segs: segs, exprs: exprs, builders: map[string]*Builder{}}
	s.builder = sc.Builder
	if s.builder == nil {
		s.builder = &Builder{Driver: "docker", Default: true}
	}
	for _, c := range dockerfile.ScriptCommands(f.Tok, masked, segs, known) {
		s.command(c)
	}
	// The builder a script selects (buildx create --use, buildx use) is
	// the one the CI job's later steps use.
	sc.Builder = s.builder
}

// scan is the state of one scanScript.
type scan struct {
	l        *loader
	f        *File
	sc       *shellContext
	script   string
	segs     []dockerfile.Segment
	exprs    [][]int
	builder  *Builder            // the builder in use
	builders map[string]*Builder // builders created by name
}

// value turns a command argument into a Value, putting back the GitHub
// expressions the scan masked.
func (s *scan) value(a dockerfile.Arg) Value {
	v := Value{Text: a.Value, Pos: a.Pos, End: a.End, Dynamic: !a.Lit}
	if a.Lit || len(s.exprs) == 0 {
		return v
	}
	start, end := s.f.Tok.Offset(a.Pos), s.f.Tok.Offset(a.End)
	var inside []string
	for _, e := range s.exprs {
		if o := s.fileOffset(e[0]); o >= start && o < end {
			inside = append(inside, s.script[e[0]:e[1]])
		}
	}
	for _, x := range inside {
		mask := "$" + strings.Repeat("_", len(x)-1)
		v.Text = strings.Replace(v.Text, mask, x, 1)
	}
	return v
}

// fileOffset maps an index of the script to its file offset.
func (s *scan) fileOffset(i int) int {
	if len(s.segs) == 0 {
		return i
	}
	k := 0
	for k+1 < len(s.segs) && s.segs[k+1].Index <= i {
		k++
	}
	return s.segs[k].Offset + i - s.segs[k].Index
}

// env is the environment a command sees: the configuration's, then what
// the script set.
func (s *scan) env(c *dockerfile.Command) map[string]Value {
	env := maps.Clone(s.sc.Env)
	if env == nil {
		env = map[string]Value{}
	}
	for k, v := range c.Env {
		if prev, ok := env[k]; ok && prev.Text == v {
			continue // the configuration's own value, which has a position
		}
		env[k] = Value{Text: v, Dynamic: !dockerfile.KnownValue(v)}
	}
	return env
}

// dockerGlobalValued are the docker CLI's global flags that take a value.
var dockerGlobalValued = map[string]bool{"--config": true, "-c": true, "--context": true, "-H": true, "--host": true,
	"-l": true, "--log-level": true, "--tlscacert": true, "--tlscert": true, "--tlskey": true}

// command looks at one simple command of the script.
func (s *scan) command(c *dockerfile.Command) {
	switch name := c.Name(); {
	case name == "docker":
		s.docker(c)
	case name == "buildctl" || name == "buildctl-daemonless.sh":
		s.buildctl(c)
	case name == "executor" && strings.Contains(c.Args[0].Value, "kaniko"):
		s.kaniko(c)
	}
}

// docker handles docker build, docker image build, docker buildx ...
func (s *scan) docker(c *dockerfile.Command) {
	args := c.Args[1:]
	args = skipFlags(args, dockerGlobalValued)
	if len(args) == 0 || !args[0].Lit {
		return
	}
	switch args[0].Value {
	case "build":
		s.build(c, DockerBuild, args[1:])
	case "image":
		if len(args) > 1 && args[1].Value == "build" {
			s.build(c, DockerBuild, args[2:])
		}
	case "builder":
		if len(args) > 1 && args[1].Value == "build" {
			s.build(c, DockerBuild, args[2:])
		}
	case "buildx":
		s.buildx(c, args[1:])
	}
}

// buildx handles docker buildx build|bake|create|use.
func (s *scan) buildx(c *dockerfile.Command, args []dockerfile.Arg) {
	var builderFlag *dockerfile.Arg
	for len(args) > 0 && strings.HasPrefix(args[0].Value, "-") {
		if args[0].Value == "--builder" && len(args) > 1 {
			builderFlag = &args[1]
			args = args[2:]
			continue
		}
		if strings.HasPrefix(args[0].Value, "--builder=") {
			a := args[0]
			builderFlag = &a
		}
		args = args[1:]
	}
	if len(args) == 0 || !args[0].Lit {
		return
	}
	switch args[0].Value {
	case "build", "b":
		b := s.build(c, BuildxBuild, args[1:])
		if b != nil && builderFlag != nil {
			b.Builder = s.named(strings.TrimPrefix(builderFlag.Value, "--builder="))
		}
	case "bake":
		s.bake(c, args[1:], builderFlag)
	case "create":
		s.create(c, args[1:])
	case "use":
		if rest := positional(args[1:], nil); len(rest) > 0 {
			s.builder = s.named(rest[0].Value)
		}
	}
}

// named returns the builder created with a name, or an unknown one.
func (s *scan) named(name string) *Builder {
	if b, ok := s.builders[name]; ok {
		return b
	}
	if name == "default" {
		return &Builder{Driver: "docker", Default: true}
	}
	return &Builder{}
}

// create handles docker buildx create [--driver D] [--use] [--name N].
func (s *scan) create(c *dockerfile.Command, args []dockerfile.Arg) {
	fl := parseFlags(args, map[string]bool{"--driver": true, "--name": true, "--driver-opt": true, "--buildkitd-flags": true,
		"--buildkitd-config": true, "--config": true, "--platform": true, "--node": true, "--bootstrap": false, "--use": false,
		"--append": false, "--leave": false})
	b := &Builder{Driver: "docker-container", Pos: c.Pos}
	if d, ok := fl.last("--driver"); ok {
		b.Driver = d.Value
	}
	for _, o := range fl.all("--driver-opt") {
		for _, kv := range strings.Split(o.Value, ",") {
			if img, ok := strings.CutPrefix(kv, "image="); ok {
				b.Image = img
			}
		}
	}
	b.KeepState = b.Driver == "remote" || b.Driver == "cloud"
	if n, ok := fl.last("--name"); ok {
		s.builders[n.Value] = b
	}
	if _, ok := fl.last("--use"); ok {
		s.builder = b
	}
}

// buildFlags are the flags of docker build and docker buildx build that
// take a value; the others are booleans.
var buildFlags = map[string]bool{
	"-t": true, "--tag": true, "-f": true, "--file": true, "--target": true, "--build-arg": true,
	"--cache-from": true, "--cache-to": true, "--platform": true, "-o": true, "--output": true,
	"--secret": true, "--label": true, "--network": true, "--progress": true, "--builder": true,
	"--iidfile": true, "--metadata-file": true, "--provenance": true, "--sbom": true, "--attest": true,
	"--build-context": true, "--ssh": true, "--shm-size": true, "--ulimit": true, "--add-host": true,
	"--allow": true, "--annotation": true, "--cgroup-parent": true, "--no-cache-filter": true,
	"--call": true, "-m": true, "--memory": true, "--memory-swap": true, "--cpu-shares": true,
	"--cpuset-cpus": true, "--cpuset-mems": true, "--cpu-period": true, "--cpu-quota": true,
	"--isolation": true, "--security-opt": true, "--quiet": false, "-q": false, "--pull": false,
	"--push": false, "--load": false, "--no-cache": false, "--rm": false, "--force-rm": false,
	"--compress": false, "--squash": false, "--check": false, "--debug": false,
}

// build adds the build a docker build / buildx build command runs.
func (s *scan) build(c *dockerfile.Command, kind BuildKind, args []dockerfile.Arg) *Build {
	fl := parseFlags(args, buildFlags)
	b := &Build{Kind: kind, File: s.f, Pos: c.Pos, End: c.End, Name: kind.String(), Job: s.sc.Job, Step: s.sc.Step,
		Builder: s.builder, Env: s.env(c), dir: s.sc.Dir}
	if len(fl.pos) > 0 {
		b.Context = s.value(fl.pos[len(fl.pos)-1])
	}
	if v, ok := fl.last("-f", "--file"); ok {
		b.Dockerfile = s.value(v)
	}
	if v, ok := fl.last("--target"); ok {
		b.Target = s.value(v)
	}
	for _, v := range fl.all("-t", "--tag") {
		b.Tags = append(b.Tags, s.value(v))
	}
	for _, v := range fl.all("--cache-from") {
		b.CacheFrom = append(b.CacheFrom, parseCacheSpec(s.value(v)))
	}
	for _, v := range fl.all("--cache-to") {
		b.CacheTo = append(b.CacheTo, parseCacheSpec(s.value(v)))
	}
	for _, v := range fl.all("--platform") {
		b.Platforms = append(b.Platforms, s.value(v))
	}
	for _, v := range fl.all("-o", "--output") {
		b.Outputs = append(b.Outputs, s.value(v))
	}
	for _, v := range fl.all("--secret") {
		b.Secrets = append(b.Secrets, s.value(v))
	}
	for _, v := range fl.all("--no-cache-filter") {
		b.NoCacheFilters = append(b.NoCacheFilters, s.value(v))
	}
	if v, ok := fl.last("--provenance"); ok {
		b.Provenance = s.value(v)
	}
	if v, ok := fl.last("--no-cache"); ok && v.Value != "false" {
		b.NoCache = s.value(v)
	}
	if v, ok := fl.last("--push"); ok && v.Value != "false" {
		b.Push = true
	}
	if v, ok := fl.last("--load"); ok && v.Value != "false" {
		b.Load = true
	}
	for _, v := range fl.all("--build-arg") {
		b.BuildArgs = append(b.BuildArgs, s.buildArg(v))
	}
	if v, ok := fl.last("--builder"); ok {
		b.Builder = s.named(v.Value)
	}
	if bb, ok := b.Env["BUILDX_BUILDER"]; ok {
		b.Builder = s.named(bb.Text)
	}
	if kind == DockerBuild {
		if v, ok := b.Env["DOCKER_BUILDKIT"]; ok && !v.Dynamic && (v.Text == "0" || strings.EqualFold(v.Text, "false")) {
			b.Legacy = true
		}
	}
	s.l.add(b)
	return b
}

// buildArg parses K=V (or K alone, taken from the environment).
func (s *scan) buildArg(a dockerfile.Arg) BuildArg {
	return parseBuildArg(s.value(a), isDynamic)
}

// bake hands docker buildx bake to the bake resolver.
func (s *scan) bake(c *dockerfile.Command, args []dockerfile.Arg, builderFlag *dockerfile.Arg) {
	fl := parseFlags(args, map[string]bool{"-f": true, "--file": true, "--set": true, "--builder": true,
		"--progress": true, "--metadata-file": true, "--provenance": true, "--sbom": true, "--call": true, "--allow": true,
		"--no-cache": false, "--push": false, "--load": false, "--pull": false, "--print": false, "--list": true})
	if _, ok := fl.last("--print"); ok {
		return
	}
	if _, ok := fl.last("--list"); ok {
		return
	}
	inv := &bakeInvocation{Kind: BuildxBake, File: s.f, Pos: c.Pos, End: c.End, Job: s.sc.Job, Step: s.sc.Step,
		Builder: s.builder, Env: s.env(c), Dir: s.sc.Dir}
	if builderFlag != nil {
		inv.Builder = s.named(strings.TrimPrefix(builderFlag.Value, "--builder="))
	}
	if v, ok := fl.last("--builder"); ok {
		inv.Builder = s.named(v.Value)
	}
	for _, v := range fl.all("-f", "--file") {
		inv.Files = append(inv.Files, s.value(v))
	}
	for _, v := range fl.all("--set") {
		inv.Set = append(inv.Set, s.value(v))
	}
	for _, v := range fl.pos {
		inv.Targets = append(inv.Targets, s.value(v))
	}
	if v, ok := fl.last("--no-cache"); ok && v.Value != "false" {
		inv.NoCache = s.value(v)
	}
	_, inv.Push = fl.last("--push")
	_, inv.Load = fl.last("--load")
	for _, b := range s.l.bakeBuilds(inv) {
		s.l.add(b)
	}
}

// buildctl handles buildctl build with the dockerfile frontend.
func (s *scan) buildctl(c *dockerfile.Command) {
	args := skipFlags(c.Args[1:], map[string]bool{"--addr": true, "--tlscacert": true, "--tlscert": true, "--tlskey": true,
		"--tlsdir": true, "--tlsservername": true, "--timeout": true, "--config": true})
	if len(args) == 0 || args[0].Value != "build" {
		return
	}
	fl := parseFlags(args[1:], map[string]bool{"--frontend": true, "--local": true, "--opt": true, "--output": true,
		"-o": true, "--export-cache": true, "--import-cache": true, "--secret": true, "--ssh": true, "--progress": true,
		"--trace": true, "--metadata-file": true, "--allow": true, "--ref-file": true, "--source-policy-file": true,
		"--no-cache": false})
	b := &Build{Kind: Buildctl, File: s.f, Pos: c.Pos, End: c.End, Name: Buildctl.String(), Job: s.sc.Job, Step: s.sc.Step,
		Builder: &Builder{Pos: c.Pos}, Env: s.env(c), dir: s.sc.Dir}
	dockerfileDir := ""
	for _, v := range fl.all("--local") {
		val := s.value(v)
		name, dir, _ := strings.Cut(val.Text, "=")
		switch name {
		case "context":
			b.Context = Value{Text: dir, Pos: val.Pos, End: val.End, Dynamic: val.Dynamic}
		case "dockerfile":
			dockerfileDir = dir
		}
	}
	filename := "Dockerfile"
	for _, v := range fl.all("--opt") {
		val := s.value(v)
		k, x, _ := strings.Cut(val.Text, "=")
		switch {
		case k == "target":
			b.Target = Value{Text: x, Pos: val.Pos, End: val.End, Dynamic: val.Dynamic}
		case k == "filename":
			filename = x
		case strings.HasPrefix(k, "build-arg:"):
			ba := s.buildArg(v)
			ba.Name = strings.TrimPrefix(ba.Name, "build-arg:")
			b.BuildArgs = append(b.BuildArgs, ba)
		case k == "no-cache":
			b.NoCache = val
		}
	}
	if dockerfileDir != "" {
		b.Dockerfile = Value{Text: path.Join(dockerfileDir, filename)}
	}
	for _, v := range fl.all("--import-cache") {
		b.CacheFrom = append(b.CacheFrom, parseCacheSpec(s.value(v)))
	}
	for _, v := range fl.all("--export-cache") {
		b.CacheTo = append(b.CacheTo, parseCacheSpec(s.value(v)))
	}
	for _, v := range fl.all("-o", "--output") {
		val := s.value(v)
		b.Outputs = append(b.Outputs, val)
		for _, kv := range splitCSV(val) {
			k, x, _ := strings.Cut(kv.Text, "=")
			switch k {
			case "name":
				for _, n := range strings.Split(x, ",") {
					b.Tags = append(b.Tags, Value{Text: n, Pos: kv.Pos, End: kv.End, Dynamic: kv.Dynamic})
				}
			case "push":
				b.Push = x == "true"
			}
		}
	}
	for _, v := range fl.all("--secret") {
		b.Secrets = append(b.Secrets, s.value(v))
	}
	if v, ok := fl.last("--no-cache"); ok {
		b.NoCache = s.value(v)
	}
	s.l.add(b)
}

// kaniko handles kaniko's executor. Kaniko keeps its own layer cache
// (--cache-repo), which is not a BuildKit cache: it is not recorded as
// one.
func (s *scan) kaniko(c *dockerfile.Command) {
	fl := parseFlags(c.Args[1:], map[string]bool{"--context": true, "-c": true, "--dockerfile": true, "-f": true,
		"--destination": true, "-d": true, "--target": true, "--build-arg": true, "--cache-repo": true,
		"--cache-dir": true, "--cache-ttl": true, "--label": true, "--custom-platform": true, "--tar-path": true,
		"--digest-file": true, "--image-name-with-digest-file": true, "--registry-mirror": true, "--verbosity": true,
		"--snapshot-mode": true, "--cache": false, "--no-push": false})
	b := &Build{Kind: Kaniko, File: s.f, Pos: c.Pos, End: c.End, Name: Kaniko.String(), Job: s.sc.Job, Step: s.sc.Step,
		Builder: &Builder{Driver: "kaniko", Pos: c.Pos}, Env: s.env(c), dir: s.sc.Dir, Push: true}
	if v, ok := fl.last("--context", "-c"); ok {
		b.Context = s.value(v)
		b.Context.Text = strings.TrimPrefix(b.Context.Text, "dir://")
	}
	if v, ok := fl.last("--dockerfile", "-f"); ok {
		b.Dockerfile = s.value(v)
	}
	if v, ok := fl.last("--target"); ok {
		b.Target = s.value(v)
	}
	for _, v := range fl.all("--destination", "-d") {
		b.Tags = append(b.Tags, s.value(v))
	}
	for _, v := range fl.all("--build-arg") {
		b.BuildArgs = append(b.BuildArgs, s.buildArg(v))
	}
	if _, ok := fl.last("--no-push"); ok {
		b.Push = false
	}
	b.dockerfileInContext = true // kaniko's --dockerfile is relative to the context
	s.l.add(b)
}

// flags is a command line split into flags and positional arguments.
type flags struct {
	vals map[string][]dockerfile.Arg // flag → values (a boolean flag's value is "true" or what =v says)
	pos  []dockerfile.Arg
}

func (f *flags) all(names ...string) []dockerfile.Arg {
	var out []dockerfile.Arg
	for _, n := range names {
		out = append(out, f.vals[n]...)
	}
	return out
}

func (f *flags) last(names ...string) (dockerfile.Arg, bool) {
	var best dockerfile.Arg
	found := false
	for _, n := range names {
		if vs := f.vals[n]; len(vs) > 0 {
			if v := vs[len(vs)-1]; !found || v.Pos > best.Pos {
				best, found = v, true
			}
		}
	}
	return best, found
}

// parseFlags splits arguments by a table of flags (true: takes a value).
// --flag=value and --flag value both work; a value's position is the
// value's own. Unknown flags are taken as booleans.
func parseFlags(args []dockerfile.Arg, valued map[string]bool) *flags {
	fl := &flags{vals: map[string][]dockerfile.Arg{}}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a.Value, "-") || a.Value == "-" || !a.Lit && !strings.HasPrefix(a.Value, "--") {
			fl.pos = append(fl.pos, a)
			continue
		}
		if a.Value == "--" {
			fl.pos = append(fl.pos, args[i+1:]...)
			break
		}
		name, val, eq := strings.Cut(a.Value, "=")
		if eq {
			v := a
			v.Value = val
			if int(a.End-a.Pos) == len(a.Value) {
				v.Pos = a.Pos + token.Pos(len(name)+1)
			}
			fl.vals[name] = append(fl.vals[name], v)
			continue
		}
		if valued[name] && i+1 < len(args) {
			fl.vals[name] = append(fl.vals[name], args[i+1])
			i++
			continue
		}
		v := a
		v.Value = "true"
		fl.vals[name] = append(fl.vals[name], v)
	}
	return fl
}

// skipFlags drops leading flags (and the values of those that take one).
func skipFlags(args []dockerfile.Arg, valued map[string]bool) []dockerfile.Arg {
	for len(args) > 0 && strings.HasPrefix(args[0].Value, "-") {
		if valued[args[0].Value] && len(args) > 1 {
			args = args[2:]
			continue
		}
		args = args[1:]
	}
	return args
}

// positional returns the arguments that are not flags.
func positional(args []dockerfile.Arg, valued map[string]bool) []dockerfile.Arg {
	return parseFlags(args, valued).pos
}
