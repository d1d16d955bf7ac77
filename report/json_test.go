package report_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/cachelint/cachelint/lint"
	"github.com/cachelint/cachelint/report"
)

// The shape the JSON format promises, spelled out independently of the
// package's own types.
type (
	jsonFile struct {
		Version     int              `json:"version"`
		URI         string           `json:"uri"`
		Path        string           `json:"path"`
		Diagnostics []jsonDiagnostic `json:"diagnostics"`
		Error       string           `json:"error"`
	}
	jsonDiagnostic struct {
		Range           jsonRange `json:"range"`
		Severity        int       `json:"severity"`
		Code            string    `json:"code"`
		CodeDescription struct {
			Href string `json:"href"`
		} `json:"codeDescription"`
		Source  string `json:"source"`
		Message string `json:"message"`
		Data    struct {
			Rule  string `json:"rule"`
			Fixes []struct {
				Title string `json:"title"`
				Edits []struct {
					Range   jsonRange `json:"range"`
					NewText string    `json:"newText"`
				} `json:"edits"`
			} `json:"fixes"`
		} `json:"data"`
	}
	jsonRange struct {
		Start jsonPos `json:"start"`
		End   jsonPos `json:"end"`
	}
	jsonPos struct {
		Line      int `json:"line"`
		Character int `json:"character"`
	}
)

func jsonFixture() []lint.FileResult {
	emoji := `RUN echo "🙂" && npm ci`
	npm := strings.Index(emoji, "npm") + 1
	return []lint.FileResult{
		{
			Path:    "my app/Dockerfile",
			AbsPath: "/work/my app/Dockerfile",
			Lines:   []string{"FROM node:20", "COPY . .", emoji},
			Findings: []lint.Finding{
				finding(ruleCopy, "my app/Dockerfile", 2, 1, 2, 9, "COPY . . before install",
					lint.Fix{Message: "copy the manifests first", Edits: []lint.Edit{
						{Line: 2, Col: 1, EndLine: 2, EndCol: 1, NewText: "COPY package*.json ./\nRUN npm ci\n"},
					}}),
				finding(ruleSecret, "my app/Dockerfile", 3, npm, 3, npm+6, "after an emoji"),
			},
		},
		{Path: "clean/Dockerfile", AbsPath: "/work/clean/Dockerfile", Lines: []string{"FROM scratch"}},
		{Path: "unreadable/Dockerfile", AbsPath: "/work/unreadable/Dockerfile", Err: errTest},
	}
}

func TestJSON(t *testing.T) {
	out := write(t, jsonFixture(), report.Options{Format: "json"})
	if !strings.HasPrefix(out, "[\n  {\n    \"version\": 1,\n    \"uri\": ") || !strings.HasSuffix(out, "]\n") {
		t.Errorf("want an array indented by two spaces ending in a newline, got:\n%s", out)
	}
	var files []jsonFile
	if err := json.Unmarshal([]byte(out), &files); err != nil {
		t.Fatalf("output is not a JSON array of files: %v\n%s", err, out)
	}
	if len(files) != 3 {
		t.Fatalf("got %d files, want 3 (clean and unreadable files included)", len(files))
	}

	for _, f := range files {
		if f.Version != 1 {
			t.Errorf("%s: version %d, want 1 in every file object", f.Path, f.Version)
		}
	}
	if files[1].Error != "" || files[2].Error != "cannot read" {
		t.Errorf("errors = %q, %q; want none for the clean file and the cause for the unreadable one", files[1].Error, files[2].Error)
	}
	if strings.Count(out, `"error"`) != 1 {
		t.Errorf(`"error" written for a file that was read:`+"\n%s", out)
	}

	f := files[0]
	if f.URI != "file:///work/my%20app/Dockerfile" || f.Path != "my app/Dockerfile" {
		t.Errorf("uri, path = %q, %q", f.URI, f.Path)
	}
	if len(f.Diagnostics) != 2 {
		t.Fatalf("got %d diagnostics, want 2", len(f.Diagnostics))
	}

	d := f.Diagnostics[0]
	if want := (jsonRange{jsonPos{1, 0}, jsonPos{1, 8}}); d.Range != want {
		t.Errorf("range = %+v, want 0-based %+v", d.Range, want)
	}
	if d.Severity != 2 || d.Code != "CL001" || d.Source != "cachelint" || d.Message != "COPY . . before install" {
		t.Errorf("severity, code, source, message = %d, %q, %q, %q", d.Severity, d.Code, d.Source, d.Message)
	}
	if d.CodeDescription.Href != ruleCopy.URL() || d.Data.Rule != "copy-before-install" {
		t.Errorf("href, rule = %q, %q", d.CodeDescription.Href, d.Data.Rule)
	}
	if len(d.Data.Fixes) != 1 || d.Data.Fixes[0].Title != "copy the manifests first" || len(d.Data.Fixes[0].Edits) != 1 {
		t.Fatalf("fixes = %+v", d.Data.Fixes)
	}
	e := d.Data.Fixes[0].Edits[0]
	if want := (jsonRange{jsonPos{1, 0}, jsonPos{1, 0}}); e.Range != want || e.NewText != "COPY package*.json ./\nRUN npm ci\n" {
		t.Errorf("edit = %+v", e)
	}

	// 🙂 is one character, four bytes and two UTF-16 code units: "npm"
	// starts at character 17 counted in UTF-16 units.
	d = f.Diagnostics[1]
	if want := (jsonRange{jsonPos{2, 17}, jsonPos{2, 23}}); d.Range != want {
		t.Errorf("range after emoji = %+v, want %+v", d.Range, want)
	}
	if d.Severity != 1 {
		t.Errorf("error severity = %d, want 1", d.Severity)
	}

	// A diagnostic without fixes has no "fixes" key; clean and unreadable
	// files have an empty array, not null.
	var raw []struct {
		Diagnostics []map[string]json.RawMessage `json:"diagnostics"`
	}
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatal(err)
	}
	var data map[string]any
	if err := json.Unmarshal(raw[0].Diagnostics[1]["data"], &data); err != nil {
		t.Fatal(err)
	}
	if want := map[string]any{"rule": "secret-in-arg-env"}; !reflect.DeepEqual(data, want) {
		t.Errorf("data without fixes = %v, want %v", data, want)
	}
	if n := strings.Count(out, `"diagnostics": []`); n != 2 {
		t.Errorf(`"diagnostics": [] appears %d times, want 2 (clean and unreadable files):`+"\n%s", n, out)
	}
}

func TestJSONSeverityAndEmpty(t *testing.T) {
	if out := write(t, nil, report.Options{Format: "json"}); out != "[]\n" {
		t.Errorf("no files: got %q, want %q", out, "[]\n")
	}
	res := []lint.FileResult{{Path: "D", AbsPath: "/D", Lines: []string{"FROM x"}, Findings: []lint.Finding{
		finding(ruleHint, "D", 1, 1, 1, 5, "info"),
		finding(ruleOff, "D", 1, 1, 1, 5, "none"),
	}}}
	var files []jsonFile
	if err := json.Unmarshal([]byte(write(t, res, report.Options{Format: "json"})), &files); err != nil {
		t.Fatal(err)
	}
	if got := []int{files[0].Diagnostics[0].Severity, files[0].Diagnostics[1].Severity}; !reflect.DeepEqual(got, []int{3, 4}) {
		t.Errorf("info, none severities = %v, want [3 4]", got)
	}
}
