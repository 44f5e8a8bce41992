package finetune

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/importer"
	"github.com/musicvae-go/mvae/music"
)

// grooveBatch makes B windows of T steps whose every value names its window,
// step and column, so that a moved value shows where it came from.
func grooveBatch(B, T int, rng *rand.Rand) []float32 {
	const K = music.NumDrumClasses
	x := make([]float32, B*T*3*K)
	for i := 0; i < B*T; i++ {
		for c := 0; c < K; c++ {
			if rng.IntN(2) == 0 {
				continue
			}
			x[i*3*K+c] = 1
			x[i*3*K+K+c] = float32(i+1) / float32(B*T+1)
			x[i*3*K+2*K+c] = float32(c+1) / 20
		}
	}
	return x
}

func TestAugmentMixTakesWholeGroups(t *testing.T) {
	const B, T, K = 6, 16, music.NumDrumClasses
	rng := rand.New(rand.NewPCG(4, 5))
	orig := grooveBatch(B, T, rng)
	x := append([]float32(nil), orig...)
	Augmentation{Mix: 1}.Apply(x, make([]float32, len(x)), B, T, rng)
	moved := 0
	for b := 0; b < B; b++ {
		for gi, g := range InstrumentGroups {
			// The group's hits, velocities and offsets over all steps are
			// those of one window of the original batch.
			from := -1
			for o := 0; o < B && from < 0; o++ {
				same := true
				for tt := 0; tt < T && same; tt++ {
					for _, c := range g {
						for part := 0; part < 3; part++ {
							if x[(b*T+tt)*3*K+part*K+c] != orig[(o*T+tt)*3*K+part*K+c] {
								same = false
							}
						}
					}
				}
				if same {
					from = o
				}
			}
			if from < 0 {
				t.Fatalf("window %d, group %d: not a whole group of any window", b, gi)
			}
			if from != b {
				moved++
			}
		}
	}
	if moved == 0 {
		t.Error("mix 1 moved no group")
	}
}

func TestAugmentDrop(t *testing.T) {
	const B, T, K = 3, 16, music.NumDrumClasses
	rng := rand.New(rand.NewPCG(6, 7))
	orig := grooveBatch(B, T, rng)
	x := append([]float32(nil), orig...)
	Augmentation{}.Apply(x, make([]float32, len(x)), B, T, rng)
	for i := range x {
		if x[i] != orig[i] {
			t.Fatal("no augmentation changed the batch")
		}
	}
	Augmentation{Drop: 1}.Apply(x, make([]float32, len(x)), B, T, rng)
	for i, v := range x {
		if v != 0 {
			t.Fatalf("drop 1 left x[%d] = %v", i, v)
		}
	}
	x = append(x[:0], orig...)
	Augmentation{Drop: 0.5}.Apply(x, make([]float32, len(x)), B, T, rng)
	hits, kept := 0, 0
	for i := 0; i < B*T; i++ {
		for c := 0; c < K; c++ {
			s, o := x[i*3*K:], orig[i*3*K:]
			if o[c] == 1 {
				hits++
			}
			switch {
			case s[c] == 1:
				kept++
				if s[K+c] != o[K+c] || s[2*K+c] != o[2*K+c] {
					t.Fatalf("a kept hit changed its velocity or offset")
				}
			case s[K+c] != 0 || s[2*K+c] != 0:
				t.Fatalf("a dropped hit kept its velocity or offset")
			}
		}
	}
	if kept == 0 || kept == hits {
		t.Errorf("drop 0.5 kept %d of %d hits", kept, hits)
	}
}

func TestAugmentCheck(t *testing.T) {
	if err := (Augmentation{Mix: 0.5}).Check("melody"); err == nil || !strings.Contains(err.Error(), "melody") {
		t.Errorf("melody with --mix: %v", err)
	}
	if err := (Augmentation{Drop: 1.5}).Check("groove"); err == nil {
		t.Error("drop 1.5 accepted")
	}
	if err := (Augmentation{}).Check("melody"); err != nil {
		t.Error(err)
	}
}

// TestAugmentedRunResumes: a run with augmentation trains differently from
// one without, and a resumed augmented run matches an uninterrupted one.
func TestAugmentedRunResumes(t *testing.T) {
	r, err := importer.File("../testdata/models/groove/model.pt", importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := r.Config
	rng := rand.New(rand.NewPCG(2, 2))
	train := generate.RandomWindows(c, 12, rng)
	o := Options{Steps: 4, Batch: 4, LR: 3e-3, LRDecay: 0.999, MinLR: 1e-5, Beta: 0.2, Clip: 1, ValEvery: 2, Seed: 5,
		Augment: Augmentation{Mix: 0.5, Toms: 0.5, HatRide: 0.3, Drop: 0.1}}
	full := checkResumeExact(t, c, r.Weights, train, 12, nil, 0, o)
	plain := o
	plain.Augment = Augmentation{}
	noAug, err := Run(c, r.Weights, train, 12, nil, 0, plain)
	if err != nil {
		t.Fatal(err)
	}
	differs := false
	for name, w := range full.Weights {
		for i, v := range w.Data {
			if noAug.Weights[name].Data[i] != v {
				differs = true
			}
		}
	}
	if !differs {
		t.Error("augmentation did not change training")
	}
}

// column returns class c's hits, velocities and offsets of window b over
// all steps.
func column(x []float32, b, T, c int) []float32 {
	const K = music.NumDrumClasses
	var out []float32
	for t := 0; t < T; t++ {
		s := x[(b*T+t)*3*K:]
		out = append(out, s[c], s[K+c], s[2*K+c])
	}
	return out
}

func sameFloats(a, b []float32) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return len(a) == len(b)
}

func TestAugmentTomsAndHatRide(t *testing.T) {
	const B, T = 8, 16
	rng := rand.New(rand.NewPCG(8, 9))
	orig := grooveBatch(B, T, rng)
	x := append([]float32(nil), orig...)
	Augmentation{Toms: 1}.Apply(x, make([]float32, len(x)), B, T, rng)
	shuffled := 0
	for b := 0; b < B; b++ {
		for c := 0; c < music.NumDrumClasses; c++ {
			got := column(x, b, T, c)
			if c < 4 || c > 6 {
				if !sameFloats(got, column(orig, b, T, c)) {
					t.Fatalf("toms: window %d class %d changed", b, c)
				}
				continue
			}
			found := false
			for from := 4; from <= 6; from++ {
				if sameFloats(got, column(orig, b, T, from)) {
					found = true
					if from != c {
						shuffled++
					}
				}
			}
			if !found {
				t.Fatalf("toms: window %d class %d is no tom of the window", b, c)
			}
		}
	}
	if shuffled == 0 {
		t.Error("toms 1 moved no tom")
	}
	x = append(x[:0], orig...)
	Augmentation{HatRide: 1}.Apply(x, make([]float32, len(x)), B, T, rng)
	for b := 0; b < B; b++ {
		for c := 0; c < music.NumDrumClasses; c++ {
			from := c
			switch c {
			case 2:
				from = 8
			case 8:
				from = 2
			}
			if !sameFloats(column(x, b, T, c), column(orig, b, T, from)) {
				t.Fatalf("hat-ride: window %d class %d is not class %d", b, c, from)
			}
		}
	}
}
