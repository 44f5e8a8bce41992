package generate

import (
	"math"
	"testing"

	"github.com/musicvae-go/mvae/music"
)

// below answers u < sigmoid64(x) exactly: for logits across and beyond the
// grid, on and next to its points, infinite and NaN, against uniforms drawn
// at random and placed on and next to sigmoid64(x).
func TestBelowIsExact(t *testing.T) {
	var xs []float64
	for k := 0; k <= sigmoidN; k++ {
		g := sigmoidMin + float64(k)*sigmoidStep
		xs = append(xs, g, math.Nextafter(g, math.Inf(-1)), math.Nextafter(g, math.Inf(1)),
			float64(math.Nextafter32(float32(g), float32(math.Inf(1)))), float64(math.Nextafter32(float32(g), float32(math.Inf(-1)))))
	}
	r := NewSplitMix64(11)
	for range 20000 {
		xs = append(xs, 50*(r.Uniform()-0.5), float64(float32(40*(r.Uniform()-0.5)))/0.7)
	}
	xs = append(xs, 0, math.Copysign(0, -1), 100, -100, 800, -800, math.Inf(1), math.Inf(-1), math.NaN(),
		math.Nextafter(sigmoidMax, 0), math.Nextafter(sigmoidMin, 0), math.MaxFloat64, -math.MaxFloat64)
	for _, x := range xs {
		s := sigmoid64(x)
		us := []float64{r.Uniform(), r.Uniform(), 0, math.Nextafter(1, 0)}
		if s == s {
			us = append(us, s, math.Nextafter(s, 0), math.Nextafter(s, 2))
		}
		for _, u := range us {
			if got, want := below(u, x), u < s; got != want {
				t.Fatalf("below(%v, %v) = %v; u < sigmoid64(x) is %v", u, x, got, want)
			}
		}
	}
}

// BenchmarkTokenGroove samples one groove token (masked feedback, as mvae
// bench's presets) from logits spread over [-3, 3].
func BenchmarkTokenGroove(b *testing.B) {
	s := &Sampler{Rep: music.Groove, Temperature: 1}
	l := make([]float32, 27)
	for i := range l {
		l[i] = float32(i%7) - 3
	}
	tok := make([]float32, 27)
	r := NewSplitMix64(1)
	for b.Loop() {
		s.Token(l, r, tok)
	}
}

// BenchmarkHitTest decides 9 groove hits from logits over [-3, 3] and
// uniforms, with below (grid) or by computing sigmoid64 (exp).
func BenchmarkHitTest(b *testing.B) {
	var x [9]float64
	for i := range x {
		x[i] = float64(i%7) - 3
	}
	r := NewSplitMix64(1)
	n := 0
	b.Run("grid", func(b *testing.B) {
		for b.Loop() {
			for _, v := range x {
				if below(r.Uniform(), v) {
					n++
				}
			}
		}
	})
	b.Run("exp", func(b *testing.B) {
		for b.Loop() {
			for _, v := range x {
				if r.Uniform() < sigmoid64(v) {
					n++
				}
			}
		}
	})
	_ = n
}
