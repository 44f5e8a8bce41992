package generate

import (
	"math"
	"testing"

	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/music"
)

// melodyWindow is one 1-bar melody window [16,90] of the tokens.
func melodyWindow(tokens []int) []float32 {
	w := make([]float32, len(tokens)*90)
	for s, k := range tokens {
		w[s*90+k] = 1
	}
	return w
}

// TestMelodyDensityAndPitch: a melody model's density is its note onsets
// per step, its mean pitch that of its onsets (pitch = token - 2 + 21), and
// the prior-pitch share counts a sample without notes as out of range.
func TestMelodyDensityAndPitch(t *testing.T) {
	c := &model.Config{Representation: string(music.Melody), Bars: 1, InputSize: 90}
	on := func(p int) int { return p - music.MinMelodyPitch + 2 }
	// Pitches 60, 64 and 71 (mean 65) on 3 of 16 steps, with note-offs and rests.
	a := melodyWindow([]int{on(60), 0, music.MelodyNoteOff, 0, on(64), 0, 0, 0, on(71), 1, 0, 0, 0, 0, 0, 0})
	in := append([]float32(nil), a...)
	if d := Density(c, a); d != 3.0/16 {
		t.Errorf("density %v, want 3/16", d)
	}
	if p, ok := meanPitch(c, a); !ok || p != 65 {
		t.Errorf("mean pitch %v, %v; want 65, true", p, ok)
	}
	silent := melodyWindow(make([]int, 16))
	if p, ok := meanPitch(c, silent); ok || p != 0 {
		t.Errorf("mean pitch of a silent window %v, %v; want 0, false", p, ok)
	}
	// Train windows of mean pitch 65 and 40: the range is 5-95 % between
	// them; samples a (65, in) and silent (out).
	b := melodyWindow([]int{on(40), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	train := append(append([]float32(nil), a...), b...)
	samples := append(append([]float32(nil), a...), silent...)
	r, share, mean := priorPitch(c, train, 2, samples, 2)
	if len(r) != 2 || math.Abs(r[0]-41.25) > 1e-12 || math.Abs(r[1]-63.75) > 1e-12 {
		t.Errorf("range %v, want [41.25 63.75]", r)
	}
	if share != 0 || mean != 65 {
		t.Errorf("in range %v, mean %v; want 0 (65 lies above 63.75), 65", share, mean)
	}
	if r, share, mean := priorPitch(c, silent, 1, a, 1); r != nil || share != 0 || mean != 0 {
		t.Errorf("train windows without notes: %v, %v, %v; want nil, 0, 0", r, share, mean)
	}
	for i := range in {
		if a[i] != in[i] {
			t.Fatal("input changed")
		}
	}
}
