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
