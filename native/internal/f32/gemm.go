package f32

import "fmt"

// Transpose says whether Gemm reads a matrix transposed.
type Transpose bool

const (
	NoTrans Transpose = false
	Trans   Transpose = true
)

// Gemm computes C = op(A) op(B) + beta C, where op(X) is X or X^T: C is
// [m, n], op(A) [m, k], op(B) [k, n]; A, B and C are row-major with leading
// dimensions (row strides) lda, ldb, ldc, so that a block of a larger
// matrix needs no copy. Reference loop:
//
//	for i := 0; i < m; i++ {
//		for j := 0; j < n; j++ {
//			s := float32(0)
//			for p := 0; p < k; p++ {
//				s += opA(i, p) * opB(p, j) // A[i*lda+p] or A[p*lda+i]; B[p*ldb+j] or B[j*ldb+p]
//			}
//			if beta == 0 {
//				C[i*ldc+j] = s // C is not read: it may hold NaN
//			} else {
//				C[i*ldc+j] = s + beta*C[i*ldc+j]
//			}
//		}
//	}
//
// Each case keeps its data contiguous: with B transposed every entry is a
// dot product of two rows (four rows of B at a time against each row of A,
// so that they stay in cache while A streams by); otherwise rows of B are
// added to rows of C by Axpy, skipping the zero entries of A (as gonum's
// kernels do). The sums round differently from the plain loop, within
// float32 accumulation error. Gemm panics on sizes that do not fit.
func Gemm(tA, tB Transpose, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	ar, ac := m, k
	if tA == Trans {
		ar, ac = k, m
	}
	br, bc := k, n
	if tB == Trans {
		br, bc = n, k
	}
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("f32: Gemm of sizes m %d, n %d, k %d", m, n, k))
	}
	checkMatrix("A", a, ar, ac, lda)
	checkMatrix("B", b, br, bc, ldb)
	checkMatrix("C", c, m, n, ldc)
	if m == 0 || n == 0 {
		return
	}
	switch beta {
	case 0:
		if tB == NoTrans {
			// The axpy cases accumulate into C: start from zero.
			for i := 0; i < m; i++ {
				clear(c[i*ldc : i*ldc+n])
			}
		}
	case 1:
	default:
		for i := 0; i < m; i++ {
			ci := c[i*ldc : i*ldc+n]
			for j := range ci {
				ci[j] *= beta
			}
		}
		beta = 1
	}
	switch {
	case tA == NoTrans && tB == Trans:
		gemmNT(m, n, k, a, lda, b, ldb, beta != 0, c, ldc)
	case tA == NoTrans && tB == NoTrans:
		// C[i, :] += A[i, p] B[p, :]
		for i := 0; i < m; i++ {
			ci := c[i*ldc : i*ldc+n]
			for p, v := range a[i*lda : i*lda+k] {
				if v != 0 {
					axpy(ci, v, b[p*ldb:p*ldb+n])
				}
			}
		}
	case tA == Trans && tB == NoTrans:
		// C[i, :] += A[p, i] B[p, :], p outermost: one row of B at a time.
		for p := 0; p < k; p++ {
			bp := b[p*ldb : p*ldb+n]
			for i, v := range a[p*lda : p*lda+m] {
				if v != 0 {
					axpy(c[i*ldc:i*ldc+n], v, bp)
				}
			}
		}
	default:
		// C[i, j] += sum_p A[p, i] B[j, p]: no caller has it; the plain loop.
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				s := float32(0)
				for p := 0; p < k; p++ {
					s += a[p*lda+i] * b[j*ldb+p]
				}
				if beta == 0 {
					c[i*ldc+j] = s
				} else {
					c[i*ldc+j] += s
				}
			}
		}
	}
}

// gemmNT sets (or, with add, adds to) C[i, j] = dot(A[i, :k], B[j, :k]):
// gemm4 does four columns at a time, then dot the remainder.
func gemmNT(m, n, k int, a []float32, lda int, b []float32, ldb int, add bool, c []float32, ldc int) {
	gemm4(m, n, k, a, lda, b, ldb, add, c, ldc)
	j := n &^ 3
	for ; j < n; j++ {
		bj := b[j*ldb : j*ldb+k]
		for i := 0; i < m; i++ {
			d := dot(a[i*lda:i*lda+k], bj)
			if add {
				c[i*ldc+j] += d
			} else {
				c[i*ldc+j] = d
			}
		}
	}
}

// checkMatrix panics unless x holds a [rows, cols] matrix of row stride ld.
func checkMatrix(name string, x []float32, rows, cols, ld int) {
	if ld < max(cols, 1) || (rows > 0 && len(x) < (rows-1)*ld+cols) {
		panic(fmt.Sprintf("f32: Gemm's %s of %d values cannot hold [%d, %d] with row stride %d", name, len(x), rows, cols, ld))
	}
}
