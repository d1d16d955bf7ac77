package rules

import (
	"fmt"
	"go/token"
	"path"
	"slices"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/buildconfig"
)

// SecretPassedAsBuildArg flags a credential passed to a build as a
// build-arg instead of a build secret.
var SecretPassedAsBuildArg = &analysis.Analyzer{
	Name: "secret_passed_as_build_arg",
	Doc: `a credential is passed to the build as a build-arg

Why it matters for the cache: a build-arg is a parameter of the build,
not a secret. Its value is sent to the builder with the build's
parameters, becomes part of the cache key of every RUN below the ARG that
receives it (so rotating the token rebuilds the rest of the stage), is
stored in the metadata of the cache the build exports and in the image's
history when a step uses it, and is written in clear into max-mode
provenance attestations, which docker/build-push-action attaches to
images pushed from public repositories. Anyone who can pull the image or
its cache can read it.

Example:

    - uses: docker/build-push-action@v6
      with:
        push: true
        tags: acme/app:latest
        build-args: |
          NPM_TOKEN=${{ secrets.NPM_TOKEN }}

Fix: pass it as a build secret, which is mounted only into the steps that
ask for it and recorded nowhere:

    - uses: docker/build-push-action@v6
      with:
        push: true
        tags: acme/app:latest
        secrets: |
          NPM_TOKEN=${{ secrets.NPM_TOKEN }}

and read it in the Dockerfile with
RUN --mount=type=secret,id=NPM_TOKEN,env=NPM_TOKEN npm ci (on the command
line: --secret id=NPM_TOKEN,env=NPM_TOKEN; in bake: secret =
["id=NPM_TOKEN,env=NPM_TOKEN"]).

A build-arg is reported when its value comes from a secret store
(${{ secrets.NAME }}, ${{ github.token }}, GitLab's $CI_JOB_TOKEN,
$CI_REGISTRY_PASSWORD, $CI_DEPLOY_PASSWORD, $CI_JOB_JWT and
$CI_REPOSITORY_URL, which holds the job token), from a variable, env
value or step output whose name looks like a credential ($NPM_TOKEN,
${{ env.DB_PASSWORD }}, ${{ steps.app-token.outputs.token }}; followed
through env: when the workflow sets it), from a command that prints one
($(cat /run/secrets/token), $(aws ecr get-login-password)), or when its
own name looks like one, by the words rule CL014 reads names with
(NPM_TOKEN, DB_PASSWORD, API_KEY, ...). It is not reported when its name
is public by design (NEXT_PUBLIC_*, VITE_*, REACT_APP_*, *_PUBLIC_KEY),
when its value is true or false or empty, when the secret named is not a
credential by its name (${{ secrets.REGISTRY_URL }}), nor for kaniko,
which has no build secrets. The message names the variables, never a
value.

Sources:
- https://docs.docker.com/build/building/secrets/
- https://docs.docker.com/build/ci/github-actions/secrets/
- https://docs.docker.com/build/metadata/attestations/slsa-provenance/
- https://docs.docker.com/reference/build-checks/secrets-used-in-arg-or-env/`,
	URL:      docURL("secret-passed-as-build-arg"),
	Requires: []*analysis.Analyzer{buildconfig.Analyzer},
	Run:      runSecretPassedAsBuildArg,
}

func runSecretPassedAsBuildArg(pass *analysis.Pass) (any, error) {
	repo, _ := pass.ResultOf[buildconfig.Analyzer].(*buildconfig.Repo)
	if repo == nil {
		return nil, nil
	}
	reported := map[token.Pos]bool{}
	for _, b := range repo.Builds {
		if b.Kind == buildconfig.Kaniko {
			continue
		}
		for _, a := range b.BuildArgs {
			if !a.Pos.IsValid() || reported[a.Pos] || a.Name == "" || strings.ContainsAny(a.Name, "${}") {
				continue
			}
			why := secretBuildArg(a, b.Env)
			if why == "" {
				continue
			}
			reported[a.Pos] = true
			pass.Report(analysis.Diagnostic{
				Pos: a.Pos,
				End: a.End,
				Message: fmt.Sprintf("build-arg %s %s: a build-arg is no secret, its value is kept with the build's parameters, in cache metadata and in max-mode provenance%s",
					a.Name, why, argDeclared(b, a.Name)),
				SuggestedFixes: []analysis.SuggestedFix{{Message: secretHelp(b, a.Name)}},
			})
		}
	}
	return nil, nil
}

// secretBuildArg says why a build argument carries a credential, or ""
// when it does not look like it does.
func secretBuildArg(a buildconfig.BuildArg, env map[string]buildconfig.Value) string {
	if publicByName(a.Name) {
		return ""
	}
	val := a.Value
	if !a.HasValue {
		val = env[a.Name]
	}
	if t := strings.TrimSpace(strings.Trim(strings.TrimSpace(val.Text), `"'`)); a.HasValue && (t == "" || isBooleanWord(t)) {
		return ""
	}
	if why := secretValue(val.Text, env, 0); why != "" {
		return why
	}
	if looksLikeSecretName(a.Name) {
		if !a.HasValue {
			return "takes its value from the variable of that name, and its name looks like a credential"
		}
		return "looks like a credential by its name"
	}
	return ""
}

// publicByName reports whether a variable's name says its value is meant
// to be public (NEXT_PUBLIC_API_KEY, VITE_MAPS_KEY, SSH_PUBLIC_KEY).
func publicByName(name string) bool {
	words := nameWords(name)
	return slices.ContainsFunc(words, func(w string) bool { return publicWords[w] }) || clientBundlePrefix(words)
}

// gitlabSecretVars are GitLab's predefined variables that hold a
// credential.
var gitlabSecretVars = map[string]bool{
	"CI_JOB_TOKEN": true, "CI_BUILD_TOKEN": true, "CI_REGISTRY_PASSWORD": true, "CI_DEPLOY_PASSWORD": true,
	"CI_JOB_JWT": true, "CI_JOB_JWT_V1": true, "CI_JOB_JWT_V2": true, "CI_REPOSITORY_URL": true,
	"CI_DEPENDENCY_PROXY_PASSWORD": true,
}

// secretValue says where a value's credential comes from, "" when nothing
// in it looks like one. env is the build's environment, followed for the
// variables it sets.
func secretValue(v string, env map[string]buildconfig.Value, depth int) string {
	if depth > 4 {
		return ""
	}
	for _, e := range ghExpression.FindAllString(v, -1) {
		for _, ref := range ghContextRef.FindAllString(e, -1) {
			parts := strings.Split(ref, ".")
			name := parts[len(parts)-1]
			switch {
			case ref == "github.token":
				return "passes the workflow's token (`github.token`)"
			case parts[0] == "secrets" && len(parts) == 2:
				if words := nameWords(name); len(words) > 0 && notSecretLast[words[len(words)-1]] || publicByName(name) {
					continue
				}
				return fmt.Sprintf("passes a secret of the repository (`%s`)", ref)
			case parts[0] == "env" && len(parts) == 2:
				if val, ok := env[name]; ok {
					if why := secretValue(val.Text, env, depth+1); why != "" {
						return why
					}
					continue
				}
				if looksLikeSecretName(name) {
					return fmt.Sprintf("passes `%s`, whose name looks like a credential", ref)
				}
			case (parts[0] == "steps" || parts[0] == "needs" || parts[0] == "jobs") && len(parts) == 4 && parts[2] == "outputs":
				if looksLikeSecretName(name) {
					return fmt.Sprintf("passes `%s`, whose name looks like a credential", ref)
				}
			}
		}
	}
	rest := ghExpression.ReplaceAllString(v, "")
	for _, m := range commandSubst.FindAllStringSubmatch(rest, -1) {
		for _, w := range strings.Fields(m[1] + m[2]) {
			if strings.HasPrefix(w, "-") {
				continue
			}
			if looksLikeSecretName(path.Base(strings.Trim(w, `"'`))) {
				return fmt.Sprintf("passes the output of `%s`, which looks like a credential", shortText(m[0], 50))
			}
		}
	}
	rest = commandSubst.ReplaceAllString(rest, "")
	for _, m := range shellVarRef.FindAllStringSubmatch(rest, -1) {
		name := m[1] + m[2]
		switch {
		case gitlabSecretVars[name]:
			return fmt.Sprintf("passes GitLab's `$%s`, which holds a credential", name)
		case publicByName(name):
			continue
		}
		if val, ok := env[name]; ok && val.Dynamic {
			if why := secretValue(val.Text, env, depth+1); why != "" {
				return why
			}
		}
		if looksLikeSecretName(name) {
			return fmt.Sprintf("passes `$%s`, whose name looks like a credential", name)
		}
	}
	return ""
}

// argDeclared says, for a message, where the Dockerfile declares the ARG
// a build argument sets.
func argDeclared(b *buildconfig.Build, name string) string {
	f := b.Stages
	if f == nil || len(f.Stages) == 0 {
		return ""
	}
	ins := slices.Clone(f.MetaArgs)
	for _, s := range stagesBuilt(b) {
		ins = append(ins, s.Instructions...)
	}
	for _, in := range ins {
		c, ok := in.Command.(*instructions.ArgCommand)
		if !ok {
			continue
		}
		for _, kv := range c.Args {
			if kv.Key == name {
				return fmt.Sprintf(" (%s declares ARG %s on line %d)", dockerfileName(b), name, in.StartLine)
			}
		}
	}
	return ""
}

// secretHelp says how a build passes the value as a secret instead.
func secretHelp(b *buildconfig.Build, name string) string {
	mount := fmt.Sprintf("and read it in the Dockerfile with RUN --mount=type=secret,id=%s,env=%s ... instead of ARG %s", name, name, name)
	switch b.Kind {
	case buildconfig.BuildPushAction:
		return fmt.Sprintf("move the %s line from build-args: to secrets: (same NAME=value form) %s", name, mount)
	case buildconfig.BakeAction, buildconfig.BuildxBake:
		return fmt.Sprintf("replace the %s entry of the target's args with secret = [\"id=%s,env=%s\"] (the value in the environment of the bake command) %s", name, name, name, mount)
	case buildconfig.Buildctl:
		return fmt.Sprintf("replace --opt build-arg:%s=... with --secret id=%s,env=%s (the value in the command's environment) %s", name, name, name, mount)
	}
	return fmt.Sprintf("replace --build-arg %s with --secret id=%s,env=%s (the value in the command's environment) %s", name, name, name, mount)
}
