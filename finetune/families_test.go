package finetune

import (
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/native"
)

// TestEveryFamily: fine-tuning runs on every family of model.TinyFamilies
// (windows are tokens; the model derives its encoder's input), lowers the
// training loss on a small set, resumes exactly, and "decoder" freezes every
// split decoder.
func TestEveryFamily(t *testing.T) {
	for _, name := range tinyNames() {
		t.Run(name, func(t *testing.T) {
			c := model.TinyFamilies()[name]
			rng := rand.New(rand.NewPCG(2, 2))
			w := model.Weights{}
			for _, p := range c.Params() {
				tn := model.NewTensorOf(p.Shape)
				for i := range tn.Data {
					tn.Data[i] = float32(rng.NormFloat64() * 0.3)
				}
				w[p.Name] = tn
			}
			train := generate.RandomWindows(c, 6, rng)
			val := generate.RandomWindows(c, 3, rng)
			o := Options{Steps: 8, Batch: 3, LR: 1e-2, LRDecay: 1, MinLR: 1e-5, Beta: 0.2, Clip: 5, ValEvery: 2, Seed: 4, Workers: 2}
			res := checkResumeExact(t, c, w, train, 6, val, 3, o)
			var before, after float64
			for _, ws := range []model.Weights{w, res.Weights} {
				m, err := native.New(c, ws)
				if err != nil {
					t.Fatal(err)
				}
				p, err := Loss(m, train, 6, o.Beta, o.FreeBits, 6, 1)
				if err != nil {
					t.Fatal(err)
				}
				before, after = after, p.Loss
			}
			if math.IsNaN(after) || !(after < before) {
				t.Errorf("the training loss did not fall: %v before, %v after", before, after)
			}
			fr := o
			fr.Freeze = []string{"decoder"}
			frozen, err := Run(c, w, train, 6, val, 3, fr)
			if err != nil {
				t.Fatal(err)
			}
			for n, tn := range w {
				moved := false
				for i, v := range tn.Data {
					moved = moved || frozen.Weights[n].Data[i] != v
				}
				if strings.HasPrefix(n, "decoder") && moved {
					t.Errorf("%s moved with the decoder frozen", n)
				}
			}
		})
	}
}

// tinyNames are the names of model.TinyFamilies, sorted.
func tinyNames() []string {
	var out []string
	for n := range model.TinyFamilies() {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
