package rules

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cachelint/cachelint/dockerfile"
)

// TestFileOps checks what fileOps finds that the commands of the last RUN
// do to files.
func TestFileOps(t *testing.T) {
	kinds := map[fileOpKind]string{opWrite: "write", opAppend: "append", opEdit: "edit", opRemove: "remove", opMkdir: "mkdir"}
	cases := []struct{ run, want string }{
		{"echo a > /etc/x; echo b >> /etc/y", "write /etc/x, append /etc/y"},
		{"echo a 2>/dev/null", "write /dev/null"},
		{": > docker-clean", "write /w/docker-clean"},
		{"rm -f /etc/apt/apt.conf.d/*", "remove /etc/apt/apt.conf.d"},
		{"mv /etc/a /tmp/", "remove /etc/a, write /tmp, write /tmp/a"},
		{"cp -a keep /etc/apt/apt.conf.d/", "write /etc/apt/apt.conf.d, write /etc/apt/apt.conf.d/keep"},
		{"ln -sf /dev/null /etc/x", "write /etc/x, write /etc/x/null"},
		{"ln -s /var/cache/apk", "write /w/apk"},
		{"echo k | tee -a /etc/dnf/dnf.conf /etc/yum.conf", "append /etc/dnf/dnf.conf, append /etc/yum.conf"},
		{"sed -i 's/a/b/' /etc/x", "edit /etc/x"},
		{"sed -ri -e 's/a/b/' /etc/x /etc/y", "edit /etc/x, edit /etc/y"},
		{"sed -i.bak --expression=s/a/b/ /etc/x", "edit /etc/x"},
		{"sed -e 's/i/x/' /etc/x > /etc/z", "write /etc/z"},
		{"truncate -s 0 /etc/x", "write /etc/x"},
		{"mkdir -p -m 755 /etc/apk/cache", "mkdir /etc/apk/cache"},
		{"rm $FILE; echo > $DIR/x", ""},
	}
	for _, tc := range cases {
		f := dockerfile.Parse("Dockerfile", []byte("FROM debian\nWORKDIR /w\nRUN "+tc.run+"\n"), nil)
		in := f.Instructions[len(f.Instructions)-1]
		var got []string
		for _, c := range in.Run.Commands {
			for _, op := range fileOps(c, newRunEnv(in, c)) {
				got = append(got, fmt.Sprintf("%s %s", kinds[op.Kind], op.Path))
			}
		}
		if g := strings.Join(got, ", "); g != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.run, g, tc.want)
		}
	}
}

func TestSettingValue(t *testing.T) {
	cases := []struct{ text, name, want string }{
		{`Binary::apt::APT::Keep-Downloaded-Packages "true";`, keepSetting, "true"},
		{`APT::Keep-Downloaded-Packages=1`, keepSetting, "1"},
		{`--setopt=keepcache=True`, "keepcache", "True"},
		{`s/keepcache=0/keepcache=1/`, "keepcache", "1"},
		{`/keepcache/d`, "keepcache", ""},
		{"[main]\nkeepcache 1\n", "keepcache", "1"},
	}
	for _, tc := range cases {
		if got, _ := settingValue(tc.text, tc.name); got != tc.want {
			t.Errorf("settingValue(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}
