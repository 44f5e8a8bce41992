package finetune

import (
	"errors"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/importer"
	"github.com/musicvae-go/mvae/music"
	"github.com/musicvae-go/mvae/npy"
)

func TestLoadDataSplitsAndChecks(t *testing.T) {
	r, err := importer.File("../testdata/models/melody/model.pt", importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := r.Config
	rng := rand.New(rand.NewPCG(1, 2))
	win := func(n int) *npy.Array {
		return &npy.Array{Shape: []int{n, c.T(), c.InputSize}, Data: generate.RandomWindows(c, n, rng)}
	}
	dir := t.TempDir()
	write := func(name string, arrays map[string]*npy.Array) string {
		p := filepath.Join(dir, name)
		if err := npy.WriteNPZFile(p, npy.Names(arrays), arrays); err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := write("d.npz", map[string]*npy.Array{"train": win(5), "validation": win(2), "test": win(3)})
	d, rep, err := LoadData(c, p, nil, music.BuildOptions{})
	if err != nil || rep != nil || d.Train.N != 5 || d.Val.N != 2 {
		t.Fatalf("train/validation: %v (%+v)", err, d)
	}
	noVal := write("t.npz", map[string]*npy.Array{"train": win(3)})
	if d, _, err = LoadData(c, noVal, nil, music.BuildOptions{}); err != nil || d.Val.N != 0 {
		t.Fatalf("no validation array: %v", err)
	}
	bad := win(2)
	bad.Data[7] = float32(math.NaN())
	for name, want := range map[string]string{
		write("nan.npz", map[string]*npy.Array{"train": win(2), "validation": bad}): "array validation: element [0 0 7] is NaN",
		write("empty.npz", map[string]*npy.Array{"train": win(0)}):                  "has no train windows",
		write("shape.npz", map[string]*npy.Array{"train": npy.New(2, c.T(), 3)}):    "array train: shape",
	} {
		if _, _, err := LoadData(c, name, nil, music.BuildOptions{}); err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %v, want %q", filepath.Base(name), err, want)
		}
	}
	if _, _, err := LoadData(c, "", nil, music.BuildOptions{}); !errors.Is(err, ErrNoData) {
		t.Errorf("nothing: %v", err)
	}
}
