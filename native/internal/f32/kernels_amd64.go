//go:build amd64 && !purego

package f32

import "golang.org/x/sys/cpu"

// useAVX2 selects the AVX2/FMA kernels of simd_amd64.s.
var useAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// dot is Dot without the length check.
func dot(x, y []float32) float32 {
	if useAVX2 && len(x) >= 16 {
		return dotAVX2(x, y)
	}
	return dotGo(x, y)
}

// gemm4 sets (with add, adds to) c[i*ldc+j] = dot(a[i*lda : i*lda+k],
// b[j*ldb : j*ldb+k]) for i < m and j < n&^3: Gemm's NT case four columns at
// a time, four rows of b against every row of a (so that those four rows stay
// in the L1 cache while a streams by). The caller checks the sizes and does
// the last n%4 columns.
func gemm4(m, n, k int, a []float32, lda int, b []float32, ldb int, add bool, c []float32, ldc int) {
	if !useAVX2 || k < 8 {
		gemm4Go(m, n, k, a, lda, b, ldb, add, c, ldc)
		return
	}
	var s [4]float32
	for j := 0; j+4 <= n; j += 4 {
		b4 := b[j*ldb : (j+3)*ldb+k]
		for i := 0; i < m; i++ {
			dot4AVX2(a[i*lda:i*lda+k], b4, ldb, &s)
			store4(c[i*ldc+j:i*ldc+j+4], &s, add)
		}
	}
}

// axpy is Axpy without the length check (len(y) >= len(x)).
func axpy(y []float32, a float32, x []float32) {
	if useAVX2 && len(x) >= 16 {
		axpyAVX2(y, a, x)
		return
	}
	axpyGo(y, a, x)
}

//go:noescape
func dotAVX2(x, y []float32) float32

//go:noescape
func axpyAVX2(y []float32, a float32, x []float32)

//go:noescape
func dot4AVX2(x, w []float32, ldw int, out *[4]float32)

// useF16C selects the float16 kernel (VCVTPH2PS).
var useF16C = useAVX2 && cpu.X86.HasF16C

// dotBF16 is sum_k x[k] FromBF16(w[k]) for k < len(x): the assembly over
// the first len(x)&^7 values, the portable loop over the rest.
func dotBF16(x []float32, w []uint16) float32 {
	n := len(x) &^ 7
	if !useAVX2 || n == 0 {
		return dotBF16Go(x, w)
	}
	w = w[:len(x)]
	return dotBF16AVX2(x[:n], w[:n]) + dotBF16Go(x[n:], w[n:])
}

// dotF16 is sum_k x[k] FromHalf(w[k]) for k < len(x).
func dotF16(x []float32, w []uint16) float32 {
	n := len(x) &^ 7
	if !useF16C || n == 0 {
		return dotF16Go(x, w)
	}
	w = w[:len(x)]
	return dotF16AVX2(x[:n], w[:n]) + dotF16Go(x[n:], w[n:])
}

// dotI8 is sum_k x[k] q[k] for k < len(x).
func dotI8(x []float32, q []int8) float32 {
	n := len(x) &^ 7
	if !useAVX2 || n == 0 {
		return dotI8Go(x, q)
	}
	q = q[:len(x)]
	return dotI8AVX2(x[:n], q[:n]) + dotI8Go(x[n:], q[n:])
}

// dotBF16AVX2 is dotBF16 for len(x) a multiple of 8 and len(w) >= len(x).
//
//go:noescape
func dotBF16AVX2(x []float32, w []uint16) float32

// dotF16AVX2 is dotF16 for len(x) a multiple of 8 and len(w) >= len(x).
//
//go:noescape
func dotF16AVX2(x []float32, w []uint16) float32

// dotI8AVX2 is dotI8 for len(x) a multiple of 8 and len(q) >= len(x).
//
//go:noescape
func dotI8AVX2(x []float32, q []int8) float32

// useAVX512VL selects the four-row low-precision kernels (their
// accumulators are Y16-Y31).
var useAVX512VL = useAVX2 && cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL

// dot4BF16 sets out[i] = dotBF16(x[i*ldx:i*ldx+len(w)], w) for i < 4, with
// the bits of dotBF16; it reports false (doing nothing) where this CPU has
// no four-row kernel.
func dot4BF16(x []float32, ldx int, w []uint16, out *[4]float32) bool {
	n := len(w) &^ 7
	if !useAVX512VL || n == 0 {
		return false
	}
	_ = x[3*ldx+len(w)-1]
	dot4BF16AVX512(x, ldx, w[:n], out)
	for i := range out {
		out[i] += dotBF16Go(x[i*ldx+n:i*ldx+len(w)], w[n:])
	}
	return true
}

// dot4F16 is dot4BF16 for float16 (F16C is part of AVX-512 machines).
func dot4F16(x []float32, ldx int, w []uint16, out *[4]float32) bool {
	n := len(w) &^ 7
	if !useAVX512VL || !useF16C || n == 0 {
		return false
	}
	_ = x[3*ldx+len(w)-1]
	dot4F16AVX512(x, ldx, w[:n], out)
	for i := range out {
		out[i] += dotF16Go(x[i*ldx+n:i*ldx+len(w)], w[n:])
	}
	return true
}

// dot4I8 is dot4BF16 for int8.
func dot4I8(x []float32, ldx int, q []int8, out *[4]float32) bool {
	n := len(q) &^ 7
	if !useAVX512VL || n == 0 {
		return false
	}
	_ = x[3*ldx+len(q)-1]
	dot4I8AVX512(x, ldx, q[:n], out)
	for i := range out {
		out[i] += dotI8Go(x[i*ldx+n:i*ldx+len(q)], q[n:])
	}
	return true
}

//go:noescape
func dot4BF16AVX512(x []float32, ldx int, w []uint16, out *[4]float32)

//go:noescape
func dot4F16AVX512(x []float32, ldx int, w []uint16, out *[4]float32)

//go:noescape
func dot4I8AVX512(x []float32, ldx int, w []int8, out *[4]float32)
