package rules

import (
	"go/token"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"golang.org/x/tools/go/analysis"

	"github.com/cachelint/cachelint/dockerfile"
)

func TestLooksLikeSecretName(t *testing.T) {
	secrets := []string{
		// tokens
		"NPM_TOKEN", "GITHUB_TOKEN", "GH_TOKEN", "NODE_AUTH_TOKEN", "npmAuthToken",
		"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "CI_JOB_TOKEN", "SONAR_TOKEN",
		"CODECOV_TOKEN", "SENTRY_AUTH_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
		"CARGO_REGISTRIES_MY_REGISTRY_TOKEN", "POETRY_PYPI_TOKEN_PYPI", "TOKEN",
		"ACCESS_TOKEN", "refreshToken", "oauth2Token", "OAuthToken", "GITHUBTOKEN",
		"HOMEBREW_GITHUB_API_TOKEN",
		// passwords
		"DB_PASSWORD", "POSTGRES_PASSWORD", "MYSQL_ROOT_PASSWORD", "PGPASSWORD",
		"MYSQL_PWD", "DB_PWD", "db_pass", "RABBITMQ_DEFAULT_PASS", "REDIS_PASSWD",
		"TWINE_PASSWORD", "KEYSTORE_PASSWORD", "KEYCLOAK_ADMIN_PASSWORD",
		"SSL_KEY_PASSWORD", "GPG_PASSPHRASE", "ADMIN_PSW", "dbPassword", "PASSWORD",
		// secrets and keys
		"CLIENT_SECRET", "AZURE_CLIENT_SECRET", "clientSecret", "JWT_SECRET",
		"SESSION_SECRET", "SECRET_KEY_BASE", "DJANGO_SECRET_KEY", "SECRET", "INVITE_TOKEN", "APP_API_KEY",
		"API_KEY", "apiKey", "APIKey", "OPENAI_API_KEY", "NUGET_APIKEY",
		"PRIVATE_KEY", "SSH_PRIVATE_KEY", "JWT_PRIVATE_KEY",
		"AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "MINIO_ACCESS_KEY",
		"STRIPE_SECRET_KEY", "ENCRYPTION_KEY", "RAILS_MASTER_KEY", "MEILI_MASTER_KEY",
		"SIGNING_KEY", "DEPLOY_KEY", "SSH_KEY", "NEW_RELIC_LICENSE_KEY",
		"TS_AUTHKEY", "VAULT_SECRET_ID",
		// credentials and auth
		"GIT_CREDENTIALS", "DOCKER_CREDS", "NPM_AUTH", "BASIC_AUTH",
		"NPM_CONFIG__AUTH", "REDISCLI_AUTH", "AUTH",
		// the shape BuildKit reads after removing quotes
		"API-KEY", "api.key",
	}
	notSecrets := []string{
		// public by design
		"GPG_KEY", "GPG_KEYS", "PUBLIC_KEY", "SSH_PUBLIC_KEY", "SSH_PUB_KEY",
		"NEXT_PUBLIC_API_KEY", "VITE_PUBLIC_TOKEN", "EXPO_PUBLIC_API_KEY",
		"STRIPE_PUBLISHABLE_KEY", "JWT_PUBLIC_KEY", "KMS_KEY_ID", "TLS_KEY",
		// compiled into the browser code by Vite, Create React App, Vue CLI, Gatsby
		"VITE_AMPLITUDE_API_KEY", "REACT_APP_API_KEY", "VUE_APP_SENTRY_TOKEN", "GATSBY_ALGOLIA_API_KEY",
		// about the secret, not the secret
		"TOKEN_FILE", "PASSWORD_FILE", "POSTGRES_PASSWORD_FILE", "SECRETS_PATH",
		"SSH_KEY_PATH", "PASSWD_PATH", "JWT_PRIVATE_KEY_PATH", "SECRETS_DIR",
		"CREDENTIALS_DIRECTORY", "AWS_SHARED_CREDENTIALS_FILE", "passwordFile",
		"KEY_VERSION", "NPM_TOKEN_VERSION", "TOKEN_ENDPOINT", "OIDC_TOKEN_URL",
		"AUTH_URL", "AUTH_SERVER_URL", "ACTIONS_ID_TOKEN_REQUEST_URL",
		"SECRET_NAME", "API_KEY_NAME", "API_KEY_HEADER", "TOKEN_TYPE",
		"PASSWORD_MIN_LENGTH", "MIN_PASSWORD_LENGTH", "TOKEN_TTL", "TOKEN_EXPIRY",
		"JWT_EXPIRATION", "TOKEN_REFRESH_INTERVAL", "TOKEN_EXPIRY_SECONDS",
		"SECRET_ARN", "SECRET_MANAGER", "GIT_CREDENTIAL_HELPER", "DOCKER_CREDENTIAL_GCR_CONFIG", "SECRETS_CONFIG",
		"POSTGRES_HOST_AUTH_METHOD", "AUTH_MECHANISM", "AUTH_PROVIDER",
		"AUTH_ENABLED", "AUTH_DISABLED", "AUTH_MODE", "AUTH_TYPE", "TOKEN_SCOPES",
		// switches
		"ENABLE_AUTH", "DISABLE_AUTH", "SKIP_AUTH", "NO_AUTH", "REQUIRE_AUTH",
		"ALLOW_EMPTY_PASSWORD", "USE_SECRETS", "NPM_CONFIG_ALWAYS_AUTH",
		"DISABLE_PASSWORD_AUTH", "enableAuth",
		// other words that merely contain a secret word
		"TOKENIZER_MODEL", "TOKENIZERS_PARALLELISM", "MAX_TOKENS", "NUM_TOKENS",
		"KEYCLOAK_VERSION", "MONKEY", "PASSENGER_VERSION", "COMPASS_URL",
		"BYPASS_CACHE", "KEYBOARD", "KEYCHAIN", "AUTHOR", "AUTHOR_NAME", "OAUTH",
		"OAUTH_CLIENT_ID", "GOAUTH", "GIT_ASKPASS", "SSH_AUTH_SOCK", "AUTH_SOURCE",
		"PYTHONDONTWRITEBYTECODE", "PGPASSFILE", "SECRETARY",
		// well-known variables
		"PWD", "OLDPWD", "GOOGLE_APPLICATION_CREDENTIALS",
		// nothing
		"", "_", "NODE_ENV", "DB_USER", "BASIC_AUTH_USERNAME", "KEY",
	}
	for _, name := range secrets {
		if !looksLikeSecretName(name) {
			t.Errorf("looksLikeSecretName(%q) = false, want true (words %q)", name, nameWords(name))
		}
	}
	for _, name := range notSecrets {
		if looksLikeSecretName(name) {
			t.Errorf("looksLikeSecretName(%q) = true, want false (words %q)", name, nameWords(name))
		}
	}
}

func TestNameWords(t *testing.T) {
	tests := []struct {
		name string
		want []string
	}{
		{"NPM_TOKEN", []string{"npm", "token"}},
		{"npm_token", []string{"npm", "token"}},
		{"NPM_AUTH_TOKEN", []string{"npm", "auth", "token"}},
		{"npmAuthToken", []string{"npm", "auth", "token"}},
		{"NpmAuthToken", []string{"npm", "auth", "token"}},
		{"APIKey", []string{"api", "key"}},
		{"apiKey", []string{"api", "key"}},
		{"OAuthToken", []string{"o", "auth", "token"}},
		{"oauth2Token", []string{"oauth2", "token"}},
		{"S3Bucket", []string{"s3", "bucket"}},
		{"AWS_SECRET_ACCESS_KEY", []string{"aws", "secret", "access", "key"}},
		{"NPM_CONFIG__AUTH", []string{"npm", "config", "auth"}},
		{"_LEADING", []string{"leading"}},
		{"TRAILING_", []string{"trailing"}},
		{"api-key", []string{"api", "key"}},
		{"api.key", []string{"api", "key"}},
		{"PGPASSWORD", []string{"pgpassword"}},
		{"TOKENIZERS_PARALLELISM", []string{"tokenizers", "parallelism"}},
		{"HTTPServerURL", []string{"http", "server", "url"}},
		{"x509Cert", []string{"x509", "cert"}},
		{"", nil},
		{"___", nil},
	}
	for _, tt := range tests {
		if got := nameWords(tt.name); !slices.Equal(got, tt.want) {
			t.Errorf("nameWords(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestVariableName(t *testing.T) {
	lex := shell.NewLex('\\')
	tests := []struct{ key, want string }{
		{"API_KEY", "API_KEY"},
		{`"API_KEY"`, "API_KEY"},
		{`'NPM_TOKEN'`, "NPM_TOKEN"},
		{`NPM\_TOKEN`, "NPM_TOKEN"},
		{"${PREFIX}_TOKEN", "${PREFIX}_TOKEN"},
		{`"$PREFIX"_TOKEN`, `"$PREFIX"_TOKEN`},
	}
	for _, tt := range tests {
		if got := variableName(lex, tt.key); got != tt.want {
			t.Errorf("variableName(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}

// runSecretRule runs CL014 over src and returns its diagnostics.
func runSecretRule(t *testing.T, src string) ([]analysis.Diagnostic, *token.File) {
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
		Analyzer: SecretInArgEnv,
		Fset:     fset,
		ResultOf: map[*analysis.Analyzer]any{dockerfile.Analyzer: f},
		Report:   func(d analysis.Diagnostic) { diags = append(diags, d) },
	}
	if _, err := SecretInArgEnv.Run(pass); err != nil {
		t.Fatal(err)
	}
	return diags, tf
}

// TestSecretValuesNeverShown lints a Dockerfile full of secret values and
// checks that no message, fix message or fix text contains any of them.
func TestSecretValuesNeverShown(t *testing.T) {
	values := []string{
		"hunter2", "ghp_16C7e42F292c6912E7710c838347Ae178B4a", "npm_s3cr3tValue",
		"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		"correct horse battery staple", "sk-proj-abc123", "p@ss:w0rd", "xoxb-0000",
		"-----BEGIN", "s3kr1t-legacy", "Zm9vYmFy", "topsecret-default",
	}
	src := `# syntax=docker/dockerfile:1
ARG GITHUB_TOKEN=ghp_16C7e42F292c6912E7710c838347Ae178B4a
FROM node:22
ARG GITHUB_TOKEN
ARG NPM_TOKEN=npm_s3cr3tValue
ENV DB_PASSWORD=hunter2
ENV AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
ENV PASSPHRASE "correct horse battery staple"
ENV OPENAI_API_KEY=sk-proj-abc123 \
    DB_PASS='p@ss:w0rd'
ARG SLACK_BOT_TOKEN=xoxb-0000
ENV SSH_PRIVATE_KEY="-----BEGIN OPENSSH PRIVATE KEY-----"
ENV LEGACY_SECRET s3kr1t-legacy
ARG "API_KEY"=Zm9vYmFy
ARG CLIENT_SECRET=topsecret-default
RUN npm ci
`
	diags, tf := runSecretRule(t, src)
	wantNames := []string{"GITHUB_TOKEN", "GITHUB_TOKEN", "NPM_TOKEN", "DB_PASSWORD",
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "PASSPHRASE", "OPENAI_API_KEY",
		"DB_PASS", "SLACK_BOT_TOKEN", "SSH_PRIVATE_KEY", "LEGACY_SECRET", "API_KEY", "CLIENT_SECRET"}
	if len(diags) != len(wantNames) {
		for _, d := range diags {
			t.Logf("%d: %s", tf.Line(d.Pos), d.Message)
		}
		t.Fatalf("got %d diagnostics, want %d", len(diags), len(wantNames))
	}
	for i, d := range diags {
		texts := []string{d.Message, d.URL, d.Category}
		for _, fix := range d.SuggestedFixes {
			texts = append(texts, fix.Message)
			for _, e := range fix.TextEdits {
				texts = append(texts, string(e.NewText))
			}
		}
		for _, text := range texts {
			for _, v := range values {
				if strings.Contains(text, v) {
					t.Errorf("diagnostic on line %d shows the value %q: %q", tf.Line(d.Pos), v, text)
				}
			}
		}
		if !strings.Contains(d.Message, " "+wantNames[i]+" ") {
			t.Errorf("diagnostic %d: message %q does not name %s", i, d.Message, wantNames[i])
		}
		if len(d.SuggestedFixes) == 0 || !strings.Contains(d.SuggestedFixes[0].Message, "--mount=type=secret") {
			t.Errorf("diagnostic %d: fix does not suggest RUN --mount=type=secret: %+v", i, d.SuggestedFixes)
		}
	}
}

// TestSecretNotReportedForSwitchesAndClears checks the value-based
// exceptions: booleans, and an ENV that clears the variable.
func TestSecretNotReportedForSwitchesAndClears(t *testing.T) {
	src := `FROM alpine
ENV GITHUB_TOKEN=true NPM_TOKEN=false DB_PASSWORD="yes" SECRET='off'
ARG API_KEY=no
ENV NPM_TOKEN=""
ENV NPM_TOKEN=''
ENV NPM_TOKEN=
`
	if diags, tf := runSecretRule(t, src); len(diags) != 0 {
		for _, d := range diags {
			t.Errorf("unexpected finding on line %d: %s", tf.Line(d.Pos), d.Message)
		}
	}
}
