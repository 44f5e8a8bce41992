//go:build !amd64 || purego

package f32

// useAVX2 is false: the portable loops only.
const useAVX2 = false

// dot is Dot without the length check.
func dot(x, y []float32) float32 { return dotGo(x, y) }

// gemm4 sets (with add, adds to) c[i*ldc+j] = dot(a[i*lda : i*lda+k],
// b[j*ldb : j*ldb+k]) for i < m and j < n&^3.
func gemm4(m, n, k int, a []float32, lda int, b []float32, ldb int, add bool, c []float32, ldc int) {
	gemm4Go(m, n, k, a, lda, b, ldb, add, c, ldc)
}

// axpy is Axpy without the length check (len(y) >= len(x)).
func axpy(y []float32, a float32, x []float32) { axpyGo(y, a, x) }

// dotBF16 is sum_k x[k] FromBF16(w[k]) for k < len(x).
func dotBF16(x []float32, w []uint16) float32 { return dotBF16Go(x, w) }

// dotF16 is sum_k x[k] FromHalf(w[k]) for k < len(x).
func dotF16(x []float32, w []uint16) float32 { return dotF16Go(x, w) }

// dotI8 is sum_k x[k] q[k] for k < len(x).
func dotI8(x []float32, q []int8) float32 { return dotI8Go(x, q) }

// mulAddPacked is MulAddPacked without the checks.
func mulAddPacked(m, n, k int, x []float32, ldx int, p []float32, out []float32, ldo int) {
	mulAddPackedGo(m, n, k, x, ldx, p, out, ldo)
}

// dot4BF16, dot4F16 and dot4I8 have no portable form: the callers use the
// one-row kernels.
func dot4BF16(x []float32, ldx int, w []uint16, out *[4]float32) bool { return false }
func dot4F16(x []float32, ldx int, w []uint16, out *[4]float32) bool  { return false }
func dot4I8(x []float32, ldx int, q []int8, out *[4]float32) bool     { return false }

// LowPacked is false: no assembly for the packed low-precision products.
const LowPacked = false

// mulAddPackedLow is the portable loop.
func mulAddPackedLow(t lowType, m, n, k int, x []float32, ldx int, u16 []uint16, q []int8, scale []float32, out []float32, ldo int) {
	mulAddPackedLowGo(t, m, n, k, x, ldx, u16, q, scale, out, ldo)
}

// cellAsm does no unit: the portable loop does them all.
func cellAsm(a []float32, H int, cPrev, c, h []float32, act *[5][]float32) int { return 0 }

// mulAddPackedT is MulAddPackedT without the checks.
func mulAddPackedT(m, n, k int, xt []float32, ldxt int, p []float32, out []float32, ldo int) {
	mulAddPackedTGo(m, n, k, xt, ldxt, p, out, ldo)
}
