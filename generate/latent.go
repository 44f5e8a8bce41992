package generate

import (
	"fmt"
	"math"
)

// Grid returns the w×h latent vectors of a bilinear interpolation between
// four corners, as magenta.js's MusicVAE.getInterpolatedZs does for four
// sequences: row y, column x (index y*w+x) is
//
//	(1-ty)(1-tx)·z0 + ty(1-tx)·z1 + (1-ty)tx·z2 + ty·tx·z3,  tx = x/(w-1), ty = y/(h-1)
//
// so z0 is the top-left corner, z1 the bottom-left, z2 the top-right and
// z3 the bottom-right. The weights are computed in float64.
func Grid(z0, z1, z2, z3 []float32, w, h int) ([]float32, error) {
	Z := len(z0)
	if len(z1) != Z || len(z2) != Z || len(z3) != Z {
		panic("generate: Grid of vectors of different lengths")
	}
	if w < 2 || h < 2 {
		return nil, fmt.Errorf("a grid needs at least 2×2 points (its corners), got %d×%d", w, h)
	}
	out := make([]float32, w*h*Z)
	for y := 0; y < h; y++ {
		ty := float64(y) / float64(h-1)
		for x := 0; x < w; x++ {
			tx := float64(x) / float64(w-1)
			w0, w1, w2, w3 := (1-ty)*(1-tx), ty*(1-tx), (1-ty)*tx, ty*tx
			row := out[(y*w+x)*Z : (y*w+x+1)*Z]
			for k := range row {
				row[k] = float32(w0*float64(z0[k]) + w1*float64(z1[k]) + w2*float64(z2[k]) + w3*float64(z3[k]))
			}
		}
	}
	return out, nil
}

// AttributeVector returns the mean of the n vectors with [n,Z] minus the
// mean of the m vectors without [m,Z] (Roberts et al. 2018 §5.3: the
// attribute vector of what the first set has and the second lacks):
//
//	v[k] = Σ_i with[i,k]/n - Σ_j without[j,k]/m
//
// Sums are in float64. An empty set is an error.
func AttributeVector(with []float32, n int, without []float32, m int, Z int) ([]float32, error) {
	if n < 1 || m < 1 {
		return nil, fmt.Errorf("an attribute vector needs at least one vector in each set, got %d and %d", n, m)
	}
	if len(with) != n*Z || len(without) != m*Z {
		panic(fmt.Sprintf("generate: AttributeVector of %d and %d values for %d and %d vectors of %d", len(with), len(without), n, m, Z))
	}
	v := make([]float32, Z)
	for k := range v {
		var a, b float64
		for i := 0; i < n; i++ {
			a += float64(with[i*Z+k])
		}
		for j := 0; j < m; j++ {
			b += float64(without[j*Z+k])
		}
		v[k] = float32(a/float64(n) - b/float64(m))
	}
	return v, nil
}

// Shift adds amount·v to each of the vectors of z [B,Z] in place, Z =
// len(v):
//
//	z[i,k] += amount·v[k]
//
// It panics when z is not a whole number of vectors.
func Shift(z, v []float32, amount float64) {
	Z := len(v)
	if Z == 0 || len(z)%Z != 0 {
		panic(fmt.Sprintf("generate: Shift of %d values by a vector of %d", len(z), Z))
	}
	for i := range z {
		z[i] = float32(float64(z[i]) + amount*float64(v[i%Z]))
	}
}

// checkSimilarity refuses a similarity outside [0, 1] (NaN included).
func checkSimilarity(s float64) error {
	if !(s >= 0 && s <= 1) || math.IsNaN(s) {
		return fmt.Errorf("similarity %v is not in [0, 1]", s)
	}
	return nil
}
