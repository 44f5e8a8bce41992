package music

import (
	"os"
	"path/filepath"
	"testing"
)

// A folder named through a symbolic link is walked like the folder itself,
// and its files keep the name given (and so their hash split).
func TestCollectFollowsASymlinkedRoot(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real")
	if err := os.MkdirAll(filepath.Join(real, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"a.mid", "sub/b.midi", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(real, n), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	warn := func(f string, a ...any) { t.Errorf("warning: "+f, a...) }
	direct, err := collect(real, warn)
	if err != nil {
		t.Fatal(err)
	}
	linked, err := collect(link, warn)
	if err != nil {
		t.Fatal(err)
	}
	if len(linked) != 2 || len(direct) != 2 {
		t.Fatalf("found %d files through the link and %d directly, want 2 and 2", len(linked), len(direct))
	}
	for i := range linked {
		want := filepath.Join(link, mustRel(t, real, direct[i].path))
		if linked[i].path != want || linked[i].split != direct[i].split {
			t.Errorf("file %d: %s (%v) through the link, want %s (%v)", i, linked[i].path, linked[i].split, want, direct[i].split)
		}
	}
}

func mustRel(t *testing.T, base, p string) string {
	t.Helper()
	r, err := filepath.Rel(base, p)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
