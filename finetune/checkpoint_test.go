package finetune

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/importer"
	"github.com/musicvae-go/mvae/model"
)

// TestDamagedCheckpointsAreRefused: --resume of a crafted checkpoint fails
// with a *CheckpointError that says what is wrong, never a panic.
func TestDamagedCheckpointsAreRefused(t *testing.T) {
	r, err := importer.File("../testdata/models/melody/model.pt", importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := r.Config
	rng := rand.New(rand.NewPCG(1, 1))
	train := generate.RandomWindows(c, 8, rng)
	dir := t.TempDir()
	ck := filepath.Join(dir, "run.ckpt")
	o := Options{Steps: 2, Batch: 4, LR: 1e-3, LRDecay: 1, ValEvery: 2, Checkpoint: ck, Seed: 1}
	if _, err := Run(c, r.Weights, train, 8, nil, 0, o); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(ck)
	if err != nil {
		t.Fatal(err)
	}
	name := c.Params()[0].Name
	for _, k := range []struct {
		what  string
		edit  func(w model.Weights, meta map[string]string)
		steps int
		want  string
	}{
		{"short Adam tensor", func(w model.Weights, _ map[string]string) {
			a := w["adam.v/"+name]
			a.Shape, a.Data = []int{3}, a.Data[:3]
		}, 2, "adam.v/ weights do not match the config"},
		{"NaN weight", func(w model.Weights, _ map[string]string) { w["best/"+name].Data[1] = float32(math.NaN()) }, 2, "best/" + name + ": element [0 1] is NaN"},
		{"negative second moment", func(w model.Weights, _ map[string]string) { w["adam.v/"+name].Data[0] = -1 }, 2, "negative second moment"},
		{"unexpected tensor", func(w model.Weights, _ map[string]string) { w["extra/x"] = w[name] }, 2, "unexpected tensor extra/x"},
		{"step beyond the run", func(model.Weights, map[string]string) {}, 1, "at step 2, beyond the run's steps (1)"},
		{"Adam step", func(_ model.Weights, m map[string]string) {
			m["mvae.checkpoint"] = strings.Replace(m["mvae.checkpoint"], `"adam_step":2`, `"adam_step":7`, 1)
		}, 2, "Adam's step 7"},
		{"another model", func(_ model.Weights, m map[string]string) {
			m["mvae.checkpoint"] = strings.Replace(m["mvae.checkpoint"], `\"max_beta\":`, `\"max_beta\":1`, 1)
		}, 2, "another model"},
		{"no metadata", func(_ model.Weights, m map[string]string) { delete(m, "mvae.checkpoint") }, 2, "not an mvae checkpoint"},
	} {
		w, meta, err := model.ReadSafetensors(data)
		if err != nil {
			t.Fatal(err)
		}
		k.edit(w, meta)
		names := make([]string, 0, len(w))
		for n := range w {
			names = append(names, n)
		}
		var buf bytes.Buffer
		if err := model.WriteSafetensors(&buf, names, w, meta, false); err != nil {
			t.Fatal(err)
		}
		bad := filepath.Join(dir, "bad.ckpt")
		if err := os.WriteFile(bad, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		ro := o
		ro.Steps, ro.Checkpoint, ro.Resume = k.steps, bad, true
		_, err = Run(c, r.Weights, train, 8, nil, 0, ro)
		var ce *CheckpointError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), k.want) || !strings.Contains(err.Error(), "bad.ckpt") {
			t.Errorf("%s: got %v, want a CheckpointError naming bad.ckpt and saying %q", k.what, err, k.want)
		}
	}
}
