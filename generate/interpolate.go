package generate

import (
	"fmt"
	"math"
)

// Interpolate returns steps latent vectors from a to b (both ends included):
// "lerp" is the straight line, "slerp" the great circle (Magenta's
// interpolation; it falls back to lerp when a and b are parallel).
func Interpolate(a, b []float32, steps int, mode string) ([]float32, error) {
	if len(a) != len(b) {
		panic("generate: Interpolate of vectors of different lengths")
	}
	if steps < 2 {
		return nil, fmt.Errorf("interpolation needs at least 2 steps (both ends), got %d", steps)
	}
	Z := len(a)
	out := make([]float32, steps*Z)
	var omega, so float64
	if mode == "slerp" {
		var dot, na, nb float64
		for i := range a {
			dot += float64(a[i]) * float64(b[i])
			na += float64(a[i]) * float64(a[i])
			nb += float64(b[i]) * float64(b[i])
		}
		cos := dot / math.Sqrt(na*nb)
		omega = math.Acos(math.Max(-1, math.Min(1, cos)))
		so = math.Sin(omega)
	} else if mode != "lerp" {
		return nil, fmt.Errorf("unknown interpolation %q (want slerp or lerp)", mode)
	}
	for s := 0; s < steps; s++ {
		t := float64(s) / float64(steps-1)
		wa, wb := 1-t, t
		if mode == "slerp" && so > 1e-8 {
			wa = math.Sin((1-t)*omega) / so
			wb = math.Sin(t*omega) / so
		}
		for i := range a {
			out[s*Z+i] = float32(wa*float64(a[i]) + wb*float64(b[i]))
		}
	}
	return out, nil
}
