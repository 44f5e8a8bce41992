package conformance

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/musicvae-go/mvae/conformance/magentajs"
	"github.com/musicvae-go/mvae/generate"
)

// TestInterpolationAsMagentaJS: mvae's lerp between two latent vectors and
// its bilinear grid across four are magenta.js's getInterpolatedZs (the
// corners in its order: top-left, bottom-left, top-right, bottom-right).
func TestInterpolationAsMagentaJS(t *testing.T) {
	h := magentajs.Find(t)
	const Z = 5
	rng := rand.New(rand.NewPCG(1, 2))
	z := make([]float32, 4*Z)
	for i := range z {
		z[i] = float32(rng.NormFloat64())
	}
	type request struct {
		Op    string           `json:"op"`
		Z     magentajs.Tensor `json:"z"`
		Steps int              `json:"steps"`
	}
	for _, tc := range []struct{ corners, steps int }{{2, 5}, {4, 3}, {4, 4}} {
		zt := magentajs.Tensor{Shape: []int{tc.corners, Z}}
		for _, v := range z[:tc.corners*Z] {
			zt.Values = append(zt.Values, float64(v))
		}
		var res struct{ Zs magentajs.Tensor }
		if err := h.Do(request{Op: "interpolate", Z: zt, Steps: tc.steps}, &res); err != nil {
			t.Fatal(err)
		}
		var got []float32
		var err error
		if tc.corners == 2 {
			got, err = generate.Interpolate(z[:Z], z[Z:2*Z], tc.steps, "lerp")
		} else {
			got, err = generate.Grid(z[:Z], z[Z:2*Z], z[2*Z:3*Z], z[3*Z:], tc.steps, tc.steps)
		}
		if err != nil {
			t.Fatal(err)
		}
		want := res.Zs.Float32()
		if len(got) != len(want) {
			t.Fatalf("%d corners: %d values, magenta.js %d", tc.corners, len(got), len(want))
		}
		for i := range got {
			if d := math.Abs(float64(got[i] - want[i])); d > 1e-6 {
				t.Fatalf("%d corners, %d steps: value %d is %v, magenta.js %v", tc.corners, tc.steps, i, got[i], want[i])
			}
		}
	}
}
