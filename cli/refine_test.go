package cli

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/npy"
)

// TestRefineFlag: --refine reconstructs at least as well in evaluate, and
// moves the ends of an interpolation off the encoder's mu.
func TestRefineFlag(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.mid"), filepath.Join(dir, "b.mid")
	writeGrooveAt(t, a, 4, 100)
	writeGroove(t, b, 4, 90)
	f1 := func(args ...string) float64 {
		out, err := run(t, append([]string{"evaluate", a, b, "--json"}, args...)...)
		if err != nil {
			t.Fatal(err)
		}
		var q generate.Quality
		if err := json.Unmarshal([]byte(out), &q); err != nil {
			t.Fatal(err)
		}
		return q.HitF1
	}
	plain, refined := f1(), f1("--refine", "100")
	if refined < plain {
		t.Errorf("hit F1 %.3f with --refine 100, %.3f without", refined, plain)
	}
	zOf := func(name string, args ...string) []float32 {
		tn := filepath.Join(dir, name)
		if _, err := run(t, append([]string{"interpolate", a, b, "--steps", "2", "--tensors", tn, "-t", "0"}, args...)...); err != nil {
			t.Fatal(err)
		}
		arrs, err := npy.ReadNPZFile(tn)
		if err != nil {
			t.Fatal(err)
		}
		return arrs["z"].Data
	}
	if slices.Equal(zOf("p.npz"), zOf("r.npz", "--refine", "20")) {
		t.Error("interpolate --refine: the same z as without")
	}
}
