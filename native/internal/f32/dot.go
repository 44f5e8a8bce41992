package f32

import "fmt"

// Dot returns sum_k x[k]*y[k]. Reference loop:
//
//	s := float32(0)
//	for k := range x {
//		s += x[k] * y[k]
//	}
//
// The fast paths keep partial sums, as BLAS kernels do (four scalar ones in
// Go; four 8-wide fused multiply-adds with AVX2 on amd64): they round
// differently from the plain loop, within float32 accumulation error.
func Dot(x, y []float32) float32 {
	if len(x) != len(y) {
		panic(fmt.Sprintf("f32: Dot of lengths %d and %d", len(x), len(y)))
	}
	return dot(x, y)
}

// Axpy sets y += a x. Reference loop:
//
//	for k := range x {
//		y[k] += a * x[k]
//	}
//
// (with AVX2 each update is one fused multiply-add).
func Axpy(y []float32, a float32, x []float32) {
	if len(x) != len(y) {
		panic(fmt.Sprintf("f32: Axpy of lengths %d and %d", len(y), len(x)))
	}
	axpy(y, a, x)
}
