package music

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/npy"
)

func TestReadWindowsFileRefusesBadWindows(t *testing.T) {
	dir := t.TempDir()
	o := Options{Representation: Groove, Bars: 1}
	T, D := o.Steps(), o.Representation.Depth()
	good := npy.New(2, T, D)
	nan := npy.New(2, T, D)
	nan.Data[T*D+5] = float32(math.NaN())
	inf := npy.New(1, T, D)
	inf.Data[0] = float32(math.Inf(1))
	for _, c := range []struct {
		name string
		a    *npy.Array
		want string
	}{
		{"good.npy", good, ""},
		{"nan.npy", nan, "element [1 0 5] is NaN"},
		{"inf.npy", inf, "element [0 0 0] is +Inf"},
		{"empty.npy", npy.New(0, T, D), "empty batch"},
		{"shape.npy", npy.New(2, T, 9), "want [N, 16, 27]"},
	} {
		p := filepath.Join(dir, c.name)
		if err := npy.WriteFile(p, c.a); err != nil {
			t.Fatal(err)
		}
		w, err := ReadWindowsFile(p, o)
		if c.want == "" {
			if err != nil || w.N != 2 {
				t.Fatalf("%s: %v", c.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.name) {
			t.Errorf("%s: got %v, want an error naming the file and saying %q", c.name, err, c.want)
		}
	}
	// A .npz: the arrays named, or all; an empty array is fine beside others.
	p := filepath.Join(dir, "d.npz")
	if err := npy.WriteNPZFile(p, []string{"train", "test", "bad"}, map[string]*npy.Array{"train": good, "test": npy.New(0, T, D), "bad": nan}); err != nil {
		t.Fatal(err)
	}
	if w, err := ReadWindowsFile(p, o, "train", "test"); err != nil || w.N != 2 {
		t.Fatalf("train, test: %v", err)
	}
	if _, err := ReadWindowsFile(p, o); err == nil || !strings.Contains(err.Error(), "array bad") {
		t.Fatalf("all arrays: %v, want the NaN of array bad", err)
	}
	if _, err := ReadWindowsFile(p, o, "x"); err == nil || !strings.Contains(err.Error(), "has no array x") {
		t.Fatalf("x: %v", err)
	}
}
