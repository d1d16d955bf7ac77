package dockerfile

import (
	"errors"
	"go/token"
	"reflect"

	"golang.org/x/tools/go/analysis"
)

// Analyzer provides the model of the build unit's Dockerfile, the first of
// pass.OtherFiles, as a *File.
var Analyzer = &analysis.Analyzer{
	Name:             "dockerfile",
	Doc:              "builds the Dockerfile model that rules read",
	Run:              run,
	ResultType:       reflect.TypeFor[*File](),
	RunDespiteErrors: true,
}

func run(pass *analysis.Pass) (any, error) {
	if len(pass.OtherFiles) == 0 {
		return nil, errors.New("no Dockerfile in the build unit")
	}
	name := pass.OtherFiles[0]
	src, err := pass.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return Parse(name, src, fileNamed(pass.Fset, name)), nil
}

// fileNamed returns the token.File of the file set with the given name.
func fileNamed(fset *token.FileSet, name string) *token.File {
	var found *token.File
	fset.Iterate(func(f *token.File) bool {
		if f.Name() == name {
			found = f
			return false
		}
		return true
	})
	return found
}
