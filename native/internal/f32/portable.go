package f32

import "github.com/musicvae-go/mvae/internal/floatbits"

// The portable loops: every build has them; without AVX2 (or with -tags
// purego) dot, gemm4 and axpy are these.

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

// dot4Go sets out[q] = dotGo(x, w[q*ldw : q*ldw+len(x)]) for q < 4: four
// rows of w, ldw apart, against one x (dot4AVX2's portable loop).
func dot4Go(x, w []float32, ldw int, out *[4]float32) {
	n := len(x)
	for q := range out {
		out[q] = dotGo(x, w[q*ldw:q*ldw+n])
	}
}

// gemm4Go is gemm4's portable loop.
func gemm4Go(m, n, k int, a []float32, lda int, b []float32, ldb int, add bool, c []float32, ldc int) {
	var s [4]float32
	for j := 0; j+4 <= n; j += 4 {
		b4 := b[j*ldb : (j+3)*ldb+k]
		for i := 0; i < m; i++ {
			dot4Go(a[i*lda:i*lda+k], b4, ldb, &s)
			store4(c[i*ldc+j:i*ldc+j+4], &s, add)
		}
	}
}

// store4 sets (with add, adds s to) o[:4].
func store4(o []float32, s *[4]float32, add bool) {
	o = o[:4]
	if add {
		o[0] += s[0]
		o[1] += s[1]
		o[2] += s[2]
		o[3] += s[3]
	} else {
		o[0], o[1], o[2], o[3] = s[0], s[1], s[2], s[3]
	}
}

// axpyGo is axpy's portable loop.
func axpyGo(y []float32, a float32, x []float32) {
	y = y[:len(x)]
	for k, v := range x {
		y[k] += a * v
	}
}

// dotBF16Go is dotBF16's portable loop: four partial sums, as dotGo.
func dotBF16Go(x []float32, w []uint16) float32 {
	var s0, s1, s2, s3 float32
	n := len(x) &^ 3
	w = w[:len(x)]
	for k := 0; k < n; k += 4 {
		s0 += x[k] * floatbits.FromBF16(w[k])
		s1 += x[k+1] * floatbits.FromBF16(w[k+1])
		s2 += x[k+2] * floatbits.FromBF16(w[k+2])
		s3 += x[k+3] * floatbits.FromBF16(w[k+3])
	}
	for k := n; k < len(x); k++ {
		s0 += x[k] * floatbits.FromBF16(w[k])
	}
	return (s0 + s1) + (s2 + s3)
}

// dotF16Go is dotF16's portable loop.
func dotF16Go(x []float32, w []uint16) float32 {
	var s0, s1, s2, s3 float32
	n := len(x) &^ 3
	w = w[:len(x)]
	for k := 0; k < n; k += 4 {
		s0 += x[k] * floatbits.FromHalf(w[k])
		s1 += x[k+1] * floatbits.FromHalf(w[k+1])
		s2 += x[k+2] * floatbits.FromHalf(w[k+2])
		s3 += x[k+3] * floatbits.FromHalf(w[k+3])
	}
	for k := n; k < len(x); k++ {
		s0 += x[k] * floatbits.FromHalf(w[k])
	}
	return (s0 + s1) + (s2 + s3)
}

// dotI8Go is dotI8's portable loop.
func dotI8Go(x []float32, q []int8) float32 {
	var s0, s1, s2, s3 float32
	n := len(x) &^ 3
	q = q[:len(x)]
	for k := 0; k < n; k += 4 {
		s0 += x[k] * float32(q[k])
		s1 += x[k+1] * float32(q[k+1])
		s2 += x[k+2] * float32(q[k+2])
		s3 += x[k+3] * float32(q[k+3])
	}
	for k := n; k < len(x); k++ {
		s0 += x[k] * float32(q[k])
	}
	return (s0 + s1) + (s2 + s3)
}
