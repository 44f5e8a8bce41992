package generate

import "math"

// SplitMix64 is the random stream of spec §4; each sequence i of a batch
// draws from its own stream seeded with seed + i.
type SplitMix64 struct{ s uint64 }

// NewSplitMix64 seeds a stream.
func NewSplitMix64(seed uint64) *SplitMix64 { return &SplitMix64{s: seed} }

// Next returns the next 64 random bits:
//
//	s += 0x9E3779B97F4A7C15; z = s
//	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
//	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
//	return z ^ (z >> 31)
func (r *SplitMix64) Next() uint64 {
	r.s += 0x9E3779B97F4A7C15
	z := r.s
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// Uniform is (Next() >> 11) * 2^-53, a float64 in [0, 1).
func (r *SplitMix64) Uniform() float64 {
	return float64(r.Next()>>11) * (1.0 / (1 << 53))
}

// Normals draws n standard normals with the Box-Muller transform: pairs
// (u1, u2) give r cos(2 pi u2) and r sin(2 pi u2), r = sqrt(-2 ln(1 - u1));
// a spare is dropped.
func (r *SplitMix64) Normals(dst []float64) {
	for i := 0; i < len(dst); i += 2 {
		u1, u2 := r.Uniform(), r.Uniform()
		rad := math.Sqrt(-2 * math.Log(1-u1))
		a := 2 * math.Pi * u2
		dst[i] = rad * math.Cos(a)
		if i+1 < len(dst) {
			dst[i+1] = rad * math.Sin(a)
		}
	}
}
