package lint

import "strings"

// IsDockerfileName reports whether a file found in a directory walk is a
// Dockerfile by its name: Dockerfile, Containerfile, Dockerfile.*,
// Containerfile.*, *.Dockerfile, *.dockerfile, *.Containerfile or
// *.containerfile (but not an ignore file such as Dockerfile.dockerignore).
func IsDockerfileName(name string) bool {
	if strings.HasSuffix(name, ".dockerignore") {
		return false
	}
	return name == "Dockerfile" || name == "Containerfile" ||
		strings.HasPrefix(name, "Dockerfile.") || strings.HasPrefix(name, "Containerfile.") ||
		strings.HasSuffix(name, ".Dockerfile") || strings.HasSuffix(name, ".dockerfile") ||
		strings.HasSuffix(name, ".Containerfile") || strings.HasSuffix(name, ".containerfile")
}
