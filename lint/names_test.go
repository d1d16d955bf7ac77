package lint

import "testing"

func TestIsDockerfileName(t *testing.T) {
	for name, want := range map[string]bool{
		"Dockerfile": true, "Containerfile": true, "Dockerfile.dev": true, "Containerfile.arm64": true,
		"api.Dockerfile": true, "api.dockerfile": true, "web.Containerfile": true, "web.containerfile": true,
		"Dockerfile.dockerignore": false, ".dockerignore": false, "dockerfile": false,
		"Dockerfiles": false, "README.md": false, "docker-compose.yml": false,
	} {
		if got := IsDockerfileName(name); got != want {
			t.Errorf("IsDockerfileName(%q) = %v, want %v", name, got, want)
		}
	}
}
