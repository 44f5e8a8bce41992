package f32

import (
	"fmt"

	"github.com/musicvae-go/mvae/internal/floatbits"
)

// The low-precision products in Pack's panel layout, for batches: the
// one-row kernels of lowprec.go widen a row of W for every row of x, and
// sum it with horizontal adds; these widen 16 values of W once per step
// for up to four rows of x, and keep Pack's sums (one per entry, in order
// of q, whatever the batch), at the cost of rearranging W once, in place.

// PackLowU16 rearranges W [n, k] (row-major, 16-bit values: bfloat16 or
// float16) in place into panels: the first n/16*16 rows in panels of 16
// rows transposed, as Pack lays them out, the last n%16 rows row-major
// after them:
//
//	w'[(j/16)*16*k + q*16 + j%16] = W[j, q]    j < n/16*16, q < k
//	w'[j*k + q]                    = W[j, q]    n/16*16 <= j < n
//
// so that the rows [j0, j1) of a packed matrix, j0 a multiple of 16, are
// the packed matrix of those rows at w'[j0*k:]. scratch is 16k values.
func PackLowU16(w []uint16, n, k int, scratch []uint16) {
	checkPackLow(len(w), n, k, len(scratch))
	for p := 0; p+PanelWidth <= n; p += PanelWidth {
		panel := w[p*k : (p+PanelWidth)*k]
		copy(scratch, panel)
		for jj := 0; jj < PanelWidth; jj++ {
			for q, v := range scratch[jj*k : (jj+1)*k] {
				panel[q*PanelWidth+jj] = v
			}
		}
	}
}

// PackLowI8 is PackLowU16 for int8 values.
func PackLowI8(w []int8, n, k int, scratch []int8) {
	checkPackLow(len(w), n, k, len(scratch))
	for p := 0; p+PanelWidth <= n; p += PanelWidth {
		panel := w[p*k : (p+PanelWidth)*k]
		copy(scratch, panel)
		for jj := 0; jj < PanelWidth; jj++ {
			for q, v := range scratch[jj*k : (jj+1)*k] {
				panel[q*PanelWidth+jj] = v
			}
		}
	}
}

func checkPackLow(nw, n, k, ns int) {
	if n < 0 || k < 0 || nw != n*k || ns < PanelWidth*k {
		panic(fmt.Sprintf("f32: PackLow of [%d, %d] in %d values with %d of scratch", n, k, nw, ns))
	}
}

// lowAt is W[j, q] of a matrix packed by PackLow: its index in w'.
func lowAt(n, k, j, q int) int {
	if j < n/PanelWidth*PanelWidth {
		return (j/PanelWidth)*PanelWidth*k + q*PanelWidth + j%PanelWidth
	}
	return j*k + q
}

// MulAddPackedBF16 adds x W^T to out for W [n, k] stored as bfloat16 and
// packed by PackLowU16: out [m, n] (row stride ldo) += x [m, k] (row stride
// ldx) W^T. Reference loop:
//
//	for i := 0; i < m; i++ {
//		for j := 0; j < n; j++ {
//			s := float32(0)
//			for q := 0; q < k; q++ {
//				s += x[i*ldx+q] * floatbits.FromBF16(p[lowAt(n, k, j, q)])
//			}
//			out[i*ldo+j] += s
//		}
//	}
//
// The panels' entries are that sum in that order (one fused multiply-add a
// step in the assembly), whatever m; the last n%16 rows are MulAddBF16's.
// MulAddPackedBF16 panics on sizes that do not fit.
func MulAddPackedBF16(m, n, k int, x []float32, ldx int, p []uint16, out []float32, ldo int) {
	checkLowPrec(m, n, k, len(x), ldx, len(p), len(out), ldo)
	if m == 0 {
		return
	}
	full := n / PanelWidth * PanelWidth
	if full > 0 && k > 0 {
		mulAddPackedLow(lowBF16, m, full, k, x, ldx, p, nil, nil, out, ldo)
	}
	MulAddBF16(m, n-full, k, x, ldx, p[full*k:], out[full:], ldo)
}

// MulAddPackedF16 is MulAddPackedBF16 for float16 (floatbits.FromHalf).
func MulAddPackedF16(m, n, k int, x []float32, ldx int, p []uint16, out []float32, ldo int) {
	checkLowPrec(m, n, k, len(x), ldx, len(p), len(out), ldo)
	if m == 0 {
		return
	}
	full := n / PanelWidth * PanelWidth
	if full > 0 && k > 0 {
		mulAddPackedLow(lowF16, m, full, k, x, ldx, p, nil, nil, out, ldo)
	}
	MulAddF16(m, n-full, k, x, ldx, p[full*k:], out[full:], ldo)
}

// MulAddPackedI8 adds x W^T to out for W [n, k] stored as int8 with a
// scale per row (W[j, q] = scale[j] q[j, q]) and packed by PackLowI8.
// Reference loop:
//
//	for i := 0; i < m; i++ {
//		for j := 0; j < n; j++ {
//			s := float32(0)
//			for q := 0; q < k; q++ {
//				s += x[i*ldx+q] * float32(p[lowAt(n, k, j, q)])
//			}
//			out[i*ldo+j] += scale[j] * s
//		}
//	}
//
// as MulAddPackedBF16 otherwise.
func MulAddPackedI8(m, n, k int, x []float32, ldx int, p []int8, scale []float32, out []float32, ldo int) {
	checkLowPrec(m, n, k, len(x), ldx, len(p), len(out), ldo)
	if len(scale) < n {
		panic(fmt.Sprintf("f32: MulAddPackedI8 of %d rows with %d scales", n, len(scale)))
	}
	if m == 0 {
		return
	}
	full := n / PanelWidth * PanelWidth
	if full > 0 && k > 0 {
		mulAddPackedLow(lowI8, m, full, k, x, ldx, nil, p, scale, out, ldo)
	}
	MulAddI8(m, n-full, k, x, ldx, p[full*k:], scale[full:], out[full:], ldo)
}

// lowType is the storage of a packed low-precision matrix.
type lowType int

const (
	lowBF16 lowType = iota
	lowF16
	lowI8
)

// widen is element e of a panel of u16 or q.
func (t lowType) widen(u16 []uint16, q []int8, e int) float32 {
	switch t {
	case lowBF16:
		return floatbits.FromBF16(u16[e])
	case lowF16:
		return floatbits.FromHalf(u16[e])
	}
	return float32(q[e])
}

// mulAddPackedLowGo is the portable loop of the packed products over n (a
// multiple of 16) rows of W in panels: one row of x against one panel at
// a time, 16 sums.
func mulAddPackedLowGo(t lowType, m, n, k int, x []float32, ldx int, u16 []uint16, q []int8, scale []float32, out []float32, ldo int) {
	for i := 0; i < m; i++ {
		xi := x[i*ldx : i*ldx+k]
		for j0 := 0; j0 < n; j0 += PanelWidth {
			var s [PanelWidth]float32
			for qq, v := range xi {
				e := j0*k + qq*PanelWidth
				for jj := range s {
					s[jj] += v * t.widen(u16, q, e+jj)
				}
			}
			o := out[i*ldo+j0 : i*ldo+j0+PanelWidth]
			for jj := range o {
				if t == lowI8 {
					o[jj] += scale[j0+jj] * s[jj]
				} else {
					o[jj] += s[jj]
				}
			}
		}
	}
}
