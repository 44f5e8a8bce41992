package cli

import (
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/musicvae-go/mvae/generate"
)

// isPNG checks that path holds a PNG of at least the given height.
func isPNG(t *testing.T, path string, minHeight int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if img.Bounds().Dy() < minHeight {
		t.Errorf("%s: %v, want at least %d pixels high", path, img.Bounds(), minHeight)
	}
}

func TestPlotCommands(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.mid"), filepath.Join(dir, "b.mid")
	writeGrooveAt(t, a, 4, 100)
	writeGroove(t, b, 4, 90)
	p := filepath.Join(dir, "ab.png")
	if _, err := run(t, "plot", a, b, "-o", p); err != nil {
		t.Fatal(err)
	}
	isPNG(t, p, 400)
	if _, err := run(t, "plot", a, "-o", p); err == nil {
		t.Error("plot replaced a file without --force")
	}
	if _, err := run(t, "plot", a, "-o", a); err == nil {
		t.Error("plot wrote over its input")
	}
	tn := filepath.Join(dir, "t.npz")
	if _, err := run(t, "generate", "-n", "3", "--tensors", tn); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, "plot", tn, "-o", filepath.Join(dir, "t.png")); err != nil {
		t.Fatal(err)
	}
	isPNG(t, filepath.Join(dir, "t.png"), 600)
	ip := filepath.Join(dir, "path.png")
	if _, err := run(t, "interpolate", a, b, "--steps", "3", "--plot", ip); err != nil {
		t.Fatal(err)
	}
	isPNG(t, ip, 600)
	ep := filepath.Join(dir, "f1.png")
	out, err := run(t, "evaluate", a, b, "--plot", ep, "--json")
	if err != nil {
		t.Fatal(err)
	}
	isPNG(t, ep, 200)
	var q generate.Quality
	if err := json.Unmarshal([]byte(out), &q); err != nil || len(q.PerClass) != 9 || q.PerClass[0].Name != "kick" {
		t.Errorf("evaluate --json per-class scores: %v %+v", err, q.PerClass)
	}
	if _, err := run(t, "plot", filepath.Join(dir, "missing.mid"), "-o", filepath.Join(dir, "m.png")); err == nil {
		t.Error("a missing input: no error")
	}
}
