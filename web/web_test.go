package web_test

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/web"
)

// TestFSHoldsThePage checks that index.html is at the root and that every
// file the page loads (scripts, stylesheet, module imports) is embedded:
// nothing comes from elsewhere (no CDN).
func TestFSHoldsThePage(t *testing.T) {
	fsys := web.FS()
	index, err := fs.ReadFile(fsys, "index.html")
	if err != nil {
		t.Fatal(err)
	}
	refs := regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(string(index), -1)
	files, err := fs.Glob(fsys, "*.js")
	if err != nil || len(files) == 0 {
		t.Fatalf("no module embedded (%v)", err)
	}
	imports := regexp.MustCompile(`from '([^']+)'`)
	for _, f := range files {
		src, err := fs.ReadFile(fsys, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range imports.FindAllStringSubmatch(string(src), -1) {
			refs = append(refs, []string{"", m[1]})
		}
	}
	if len(refs) < 3 {
		t.Fatalf("found %d references; want the stylesheet, app.js and its imports", len(refs))
	}
	for _, r := range refs {
		ref := r[1]
		if strings.HasPrefix(ref, "data:") {
			continue
		}
		if strings.Contains(ref, "//") {
			t.Errorf("the page loads %s from elsewhere", ref)
			continue
		}
		if _, err := fs.Stat(fsys, strings.TrimPrefix(ref, "./")); err != nil {
			t.Errorf("the page loads %s, which is not embedded: %v", ref, err)
		}
	}
}
