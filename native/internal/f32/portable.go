package f32

// The portable loops: every build has them; without AVX2 (or with -tags
// purego) dot, dot4 and axpy are these.

// dotGo is dot's portable loop: four partial sums.
func dotGo(x, y []float32) float32 {
	var s0, s1, s2, s3 float32
	n := len(x) &^ 3
	y = y[:len(x)]
	for k := 0; k < n; k += 4 {
		s0 += x[k] * y[k]
		s1 += x[k+1] * y[k+1]
		s2 += x[k+2] * y[k+2]
		s3 += x[k+3] * y[k+3]
	}
	for k := n; k < len(x); k++ {
		s0 += x[k] * y[k]
	}
	return (s0 + s1) + (s2 + s3)
}

// dot4Go is dot4's portable loop: four dotGo.
func dot4Go(x, w []float32, ldw int, out *[4]float32) {
	n := len(x)
	for q := range out {
		out[q] = dotGo(x, w[q*ldw:q*ldw+n])
	}
}

// axpyGo is axpy's portable loop.
func axpyGo(y []float32, a float32, x []float32) {
	y = y[:len(x)]
	for k, v := range x {
		y[k] += a * v
	}
}
