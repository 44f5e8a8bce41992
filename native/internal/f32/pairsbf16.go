package f32

import (
	"fmt"
	"math"

	"github.com/musicvae-go/mvae/internal/floatbits"
)

// The bfloat16 products of VDPBF16PS (AVX-512 BF16): W in panels of 16 rows
// whose values come in pairs of consecutive columns, and x rounded to
// bfloat16 too, each step adding two products to each float32 sum. Their
// sums are not MulAddPackedBF16's (x is rounded, and the products are
// added two by two with the instruction's rounding): DotBF16 is one step,
// as the hardware does it, and the reference loop of MulAddPairsBF16 says
// how the steps make an entry.

// PairsLen is the length of W [n, k] packed by PackPairsBF16: n rounded up
// to a multiple of 16 rows, k up to an even number of columns.
func PairsLen(n, k int) int {
	return (n + PanelWidth - 1) / PanelWidth * PanelWidth * (k + k%2)
}

// pairAt is W[j, q]'s index in a matrix of k columns packed by
// PackPairsBF16 (or PackPairsInPlace).
func pairAt(k, j, q int) int {
	kp := k + k%2
	return (j/PanelWidth)*PanelWidth*kp + (q/2)*2*PanelWidth + (j%PanelWidth)*2 + q%2
}

// PackPairsBF16 packs W [n, k] (row-major, bfloat16 bits, row stride ld)
// into p (PairsLen(n, k) values) in panels of 16 rows, the rows of a panel
// interleaved by pairs of columns:
//
//	p[(j/16)*16*kp + (q/2)*32 + (j%16)*2 + q%2] = W[j, q]
//
// for kp = k rounded up to even; the padding (rows n to the next multiple
// of 16, column k when k is odd) is zero.
func PackPairsBF16(p, w []uint16, n, k, ld int) {
	if n < 0 || k < 0 || ld < k || len(p) != PairsLen(n, k) || (n > 0 && len(w) < (n-1)*ld+k) {
		panic(fmt.Sprintf("f32: PackPairsBF16 of [%d, %d] (stride %d) from %d values into %d", n, k, ld, len(w), len(p)))
	}
	clear(p)
	for j := 0; j < n; j++ {
		for q, v := range w[j*ld : j*ld+k] {
			p[pairAt(k, j, q)] = v
		}
	}
}

// PackPairsInPlace is PackPairsBF16 in place for an even k: the first
// n/16*16 rows of w (W [n, k] row-major) are rearranged into their panels
// where they lie, and the last n%16 rows stay row-major after them, for the
// caller to pack apart (PackPairsBF16 of w[n/16*16*k:]). scratch is 16k
// values.
func PackPairsInPlace(w []uint16, n, k int, scratch []uint16) {
	if k%2 != 0 {
		panic(fmt.Sprintf("f32: PackPairsInPlace of [%d, %d]: an odd number of columns", n, k))
	}
	checkPackLow(len(w), n, k, len(scratch))
	for j0 := 0; j0+PanelWidth <= n; j0 += PanelWidth {
		panel := w[j0*k : (j0+PanelWidth)*k]
		copy(scratch, panel)
		PackPairsBF16(panel, scratch[:PanelWidth*k], PanelWidth, k, k)
	}
}

// ToBF16DAZ rounds f to bfloat16 as VCVTNEPS2BF16 does: to nearest even,
// denormals to a zero of their sign, NaN to a quiet NaN.
func ToBF16DAZ(f float32) uint16 { return floatbits.ToBF16(daz32(f)) }

// DotBF16 is one lane of one step of VDPBF16PS, acc + x1 w1 + x0 w0:
//
//	acc = fmaBF16(acc, x1, w1) // the odd pair first
//	acc = fmaBF16(acc, x0, w0)
//
// where fmaBF16(acc, x, w) is acc + x w rounded once to float32 (to
// nearest even) with denormal inputs (acc, x, w) read as zeros of their
// sign and a result that rounds below the smallest normal (with the
// exponent unbounded) flushed to a zero of its sign; MXCSR plays no part.
func DotBF16(acc float32, x1, w1, x0, w0 uint16) float32 {
	return fmaBF16(fmaBF16(acc, x1, w1), x0, w0)
}

// fmaBF16 is DotBF16's fused multiply-add. The product of two bfloat16 is
// exact in float64, and so is its sum with acc rounded to odd, from which
// rounding to float32 is correct (53 bits >= 24 + 2).
func fmaBF16(acc float32, x, w uint16) float32 {
	c := float64(daz32(acc))
	p := float64(daz32(floatbits.FromBF16(x))) * float64(daz32(floatbits.FromBF16(w)))
	s := p + c
	if math.IsInf(s, 0) || math.IsNaN(s) {
		return float32(s)
	}
	// The error of s (TwoSum); if s is inexact with an even last bit, the
	// sum rounded to odd is its neighbour towards the error.
	bb := s - p
	e := (p - (s - bb)) + (c - bb)
	if bits := math.Float64bits(s); e != 0 && bits&1 == 0 {
		if (e > 0) == (s > 0) {
			bits++
		} else {
			bits--
		}
		s = math.Float64frombits(bits)
	}
	a := math.Abs(s)
	switch {
	case a >= 0x1p-100:
		return float32(s)
	case a < 0x1p-127:
		return float32(math.Copysign(0, s))
	}
	// Near the smallest normal: round to 24 bits with the exponent
	// unbounded (scaled, exactly, into float32's normal range).
	r := float32(s * 0x1p64)
	if math.Abs(float64(r)) < 0x1p-62 {
		return float32(math.Copysign(0, s))
	}
	return r * 0x1p-64
}

// daz32 is f, or a zero of its sign where f is denormal.
func daz32(f float32) float32 {
	if b := math.Float32bits(f); b&0x7f800000 == 0 {
		return math.Float32frombits(b & 0x80000000)
	}
	return f
}

// MulAddPairsBF16 adds x W^T to out for W [n, k] (bfloat16) packed by
// PackPairsBF16 into p: out [m, n] (row stride ldo) += x [m, k] (row stride
// ldx) W^T, with x rounded to bfloat16. Reference loop:
//
//	for i := 0; i < m; i++ {
//		for j := 0; j < n; j++ {
//			s := float32(0)
//			for q := 0; q < k; q += 2 {
//				x1, w1 := uint16(0), uint16(0)
//				if q+1 < k {
//					x1, w1 = ToBF16DAZ(x[i*ldx+q+1]), p[pairAt(k, j, q+1)]
//				}
//				s = DotBF16(s, x1, w1, ToBF16DAZ(x[i*ldx+q]), p[pairAt(k, j, q)])
//			}
//			out[i*ldo+j] += s
//		}
//	}
//
// Each entry is that sum whatever m and whatever part of the panels a call
// covers (p may start at any panel, with n the rows from there). It panics
// on sizes that do not fit.
func MulAddPairsBF16(m, n, k int, x []float32, ldx int, p []uint16, out []float32, ldo int) {
	if m < 0 || n < 0 || k < 0 || ldx < k || ldo < n || len(p) < PairsLen(n, k) ||
		(m > 0 && (len(x) < (m-1)*ldx+k || len(out) < (m-1)*ldo+n)) {
		panic(fmt.Sprintf("f32: MulAddPairsBF16 of [%d, %d] by [%d, %d]^T: x of %d values (stride %d), p of %d, out of %d (stride %d)",
			m, k, n, k, len(x), ldx, len(p), len(out), ldo))
	}
	if m == 0 || n == 0 || k == 0 {
		return
	}
	mulAddPairs(m, n, k, x, ldx, p, out, ldo)
}

// mulAddPairsGo is the portable loop of MulAddPairsBF16: one row of x
// against one panel at a time, 16 sums.
func mulAddPairsGo(m, n, k int, x []float32, ldx int, p []uint16, out []float32, ldo int) {
	kp := k + k%2
	for i := 0; i < m; i++ {
		xi := x[i*ldx : i*ldx+k]
		for j0 := 0; j0 < n; j0 += PanelWidth {
			var s [PanelWidth]float32
			panel := p[j0*kp : (j0+PanelWidth)*kp]
			for q := 0; q < k; q += 2 {
				x0, x1 := ToBF16DAZ(xi[q]), uint16(0)
				if q+1 < k {
					x1 = ToBF16DAZ(xi[q+1])
				}
				w := panel[q*PanelWidth : (q+2)*PanelWidth]
				for jj := range s {
					s[jj] = DotBF16(s[jj], x1, w[2*jj+1], x0, w[2*jj])
				}
			}
			o := out[i*ldo+j0 : i*ldo+min(j0+PanelWidth, n)]
			for jj := range o {
				o[jj] += s[jj]
			}
		}
	}
}
