package rules

import (
	"path"
	"slices"
	"strings"

	"github.com/cachelint/cachelint/dockerfile"
)

// runEnv is the environment one command of a RUN sees: variables set in
// the RUN itself, then ARG and ENV, then what the base image sets; and
// HOME from USER when nothing sets it.
type runEnv struct {
	in  *dockerfile.Instruction
	c   *dockerfile.Command // nil for the RUN as a whole
	img *Image
}

func newRunEnv(in *dockerfile.Instruction, c *dockerfile.Command) runEnv {
	e := runEnv{in: in, c: c}
	if in.Stage != nil {
		e.img = knownImage(in.Stage)
	}
	return e
}

// lookup returns a variable's value and whether it is set; known is false
// when it is set to something that cannot be known here (an ARG without
// a default, a command substitution).
func (e runEnv) lookup(name string) (value string, set, known bool) {
	if e.c != nil {
		if v, ok := e.c.Env[name]; ok {
			return v, true, dockerfile.KnownValue(v)
		}
	}
	if v, ok := e.in.Env.Lookup(name); ok {
		return v.Value, true, v.Known && !strings.ContainsAny(v.Value, "$`")
	}
	if e.img != nil {
		if v, ok := e.img.Env[name]; ok {
			return v, true, true
		}
	} else if imageVars[name] {
		return "", true, false // an image we do not know may set it
	}
	return "", false, false
}

// get returns a variable's value when it is set and known.
func (e runEnv) get(name string) (string, bool) {
	v, set, known := e.lookup(name)
	return v, set && known
}

// home is the HOME the command runs with: HOME when set, else the home
// directory of the USER in effect (runc's rule: "/" for a user with no
// passwd entry). ok is false when it cannot be known.
func (e runEnv) home() (string, bool) {
	if v, set, known := e.lookup("HOME"); set && !e.switched() {
		return v, known && path.IsAbs(v)
	}
	return e.userHome()
}

// switched reports whether a wrapper (sudo, gosu) runs the command as
// another user than USER: they set HOME to that user's home.
func (e runEnv) switched() bool {
	return e.c != nil && e.c.User != ""
}

// userSpec is USER, or the user a wrapper switches to, as written.
func (e runEnv) userSpec() string {
	if e.switched() {
		return e.c.User
	}
	return e.in.User
}

// user is the user the command runs as without its group, "" for root.
func (e runEnv) user() string {
	u, _, _ := strings.Cut(e.userSpec(), ":")
	if u == "root" || u == "0" {
		return ""
	}
	return u
}

// isRoot reports whether the command runs as root: no USER, USER root or
// 0, or sudo.
func (e runEnv) isRoot() bool {
	return e.user() == ""
}

func (e runEnv) userHome() (string, bool) {
	u := e.user()
	switch {
	case u == "":
		return "/root", true
	case strings.ContainsAny(u, "$`"):
		return "", false
	}
	if acct, ok := createdUser(e.in, e.c, u); ok {
		return acct.Home, acct.Home != ""
	}
	if e.img != nil {
		for name, acct := range e.img.Users {
			if name == u || acct.UID == u {
				return acct.Home, true
			}
		}
	}
	if isNumeric(u) {
		return "/", true
	}
	return "", false
}

// uid is the numeric uid of the USER in effect, or "" when not known.
func (e runEnv) uid() string {
	u := e.user()
	switch {
	case u == "":
		return "0"
	case isNumeric(u):
		return u
	}
	if acct, ok := createdUser(e.in, e.c, u); ok {
		return acct.UID
	}
	if e.img != nil {
		if acct, ok := e.img.Users[u]; ok {
			return acct.UID
		}
	}
	return ""
}

// gid is the numeric group of the USER in effect, or "" when not known.
func (e runEnv) gid() string {
	u, g, hasGroup := strings.Cut(e.userSpec(), ":")
	switch {
	case hasGroup:
		if isNumeric(g) {
			return g
		}
		return ""
	case u == "" || u == "root" || u == "0":
		return "0"
	}
	if acct, ok := createdUser(e.in, e.c, u); ok {
		return acct.GID
	}
	if e.img != nil {
		for name, acct := range e.img.Users {
			if name == u || acct.UID == u {
				return acct.GID
			}
		}
	}
	return ""
}

func isNumeric(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// createdUser finds the account named (or numbered) u made by useradd or
// adduser before command c of in: in an earlier RUN of its stage or of the
// stages it is built FROM, or earlier in the same RUN.
func createdUser(in *dockerfile.Instruction, c *dockerfile.Command, u string) (User, bool) {
	var found User
	ok := false
	var stages []*dockerfile.Stage
	for st := in.Stage; st != nil; st = st.BaseStage {
		stages = append(stages, st)
	}
	cmd := -1 // c's index in the RUN; -1 for the whole RUN
	if c != nil && in.Run != nil {
		cmd = slices.Index(in.Run.Commands, c)
	}
	for i := len(stages) - 1; i >= 0; i-- {
		for _, a := range userAdds(stages[i]) {
			if a.in == in && cmd >= 0 && a.cmd >= cmd || stages[i] == in.Stage && a.in.Pos > in.Pos {
				break
			}
			if a.name == u || a.acct.UID == u && a.acct.UID != "" {
				found, ok = a.acct, true
			}
		}
	}
	return found, ok
}

// userAdd is a useradd or adduser command of a stage.
type userAdd struct {
	in   *dockerfile.Instruction
	cmd  int // index in the RUN's commands
	name string
	acct User
}

type userAddsKey struct{}

// userAdds lists the useradd and adduser commands of a stage's own
// instructions, in order; worked out once a stage.
func userAdds(s *dockerfile.Stage) []userAdd {
	if v, ok := s.Memo.Load(userAddsKey{}); ok {
		return v.([]userAdd)
	}
	var out []userAdd
	for _, in := range s.Instructions {
		if in.Run == nil {
			continue
		}
		for i, pc := range in.Run.Commands {
			if name, acct, isAdd := parseUserAdd(pc.Argv()); isAdd {
				out = append(out, userAdd{in, i, name, acct})
			}
		}
	}
	v, _ := s.Memo.LoadOrStore(userAddsKey{}, out)
	return v.([]userAdd)
}

// parseUserAdd reads a useradd or adduser command (shadow, Debian and
// BusyBox forms) and returns the account it creates.
func parseUserAdd(argv []string) (string, User, bool) {
	if len(argv) == 0 {
		return "", User{}, false
	}
	prog := path.Base(argv[0])
	if prog != "useradd" && prog != "adduser" {
		return "", User{}, false
	}
	var acct User
	var names []string
	system := false
	for i := 1; i < len(argv); i++ {
		a := argv[i]
		flag, value, inline := strings.Cut(a, "=")
		takes := userAddValueFlags[flag]
		if takes && !inline && i+1 < len(argv) {
			i++
			value = argv[i]
		}
		switch {
		case takes && (flag == "-d" || flag == "--home-dir" || flag == "--home" || flag == "-h"):
			acct.Home = value
		case takes && (flag == "-u" || flag == "--uid"):
			acct.UID = value
		case takes && (flag == "-g" && prog == "useradd" || flag == "--gid") && isNumeric(value):
			acct.GID = value
		case a == "--system" && prog == "adduser":
			system = true
		case !takes && !strings.HasPrefix(a, "-"):
			names = append(names, a)
		}
	}
	if len(names) == 0 {
		return "", User{}, false
	}
	name := names[0] // adduser USER [GROUP]
	if prog == "useradd" {
		name = names[len(names)-1]
	}
	if acct.Home == "" {
		acct.Home = "/home/" + name
		if system {
			acct.Home = "/nonexistent" // Debian's adduser --system
		}
	}
	if strings.ContainsAny(acct.Home, "$`") {
		acct.Home = ""
	}
	if !isNumeric(acct.UID) {
		acct.UID = ""
	}
	return name, acct, true
}

// userAddValueFlags are the useradd/adduser flags that take a value.
var userAddValueFlags = map[string]bool{
	"-d": true, "--home-dir": true, "--home": true, "-h": true,
	"-u": true, "--uid": true, "-g": true, "--gid": true, "-G": true, "--groups": true,
	"-s": true, "--shell": true, "-c": true, "--comment": true, "--gecos": true,
	"-k": true, "--skel": true, "-K": true, "--key": true, "-e": true, "--expiredate": true,
	"-f": true, "--inactive": true, "-p": true, "--password": true, "-b": true, "--base-dir": true,
	"--ingroup": true, "--firstuid": true, "--lastuid": true, "--conf": true, "-R": true, "--root": true,
}
