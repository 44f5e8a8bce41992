//go:build amd64 && !purego

package f32

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// useAVX512 adds the AVX-512 tiles of packed_amd64.s (4 rows by 32 columns,
// 1 row by 128) to the AVX2 ones.
var useAVX512 = useAVX2 && cpu.X86.HasAVX512F

// mulAddPacked is MulAddPacked without the checks (m, n, k > 0).
func mulAddPacked(m, n, k int, x []float32, ldx int, p []float32, out []float32, ldo int) {
	if !useAVX2 {
		mulAddPackedGo(m, n, k, x, ldx, p, out, ldo)
		return
	}
	mulAddPackedAsm(useAVX512, false, m, n, k, x, ldx, p, out, ldo)
}

// mulAddPackedT is MulAddPackedT without the checks (m, n, k > 0).
func mulAddPackedT(m, n, k int, xt []float32, ldxt int, p []float32, out []float32, ldo int) {
	if !useAVX2 {
		mulAddPackedTGo(m, n, k, xt, ldxt, p, out, ldo)
		return
	}
	mulAddPackedAsm(useAVX512, true, m, n, k, xt, ldxt, p, out, ldo)
}

// mulAddPackedAsm runs the assembly tiles, the AVX-512 ones with avx512
// (which the CPU must have), on x [m, k] of row stride ldx, or, with xT, on
// x given transposed (x[i, q] at x[q*ldx+i]): tiles of 8 or 4 rows by 32
// (AVX-512), of 4 rows by 16 columns, then the last m%4 rows one at a time by 128
// (AVX-512), 64 or 16 columns (16 with xT). Each tile sums every entry the
// same way (one fused multiply-add a step from zero, then out += the sum),
// so the tiles' sizes change no bit. The last, partial panel goes through a
// tile on the stack.
func mulAddPackedAsm(avx512, xT bool, m, n, k int, x []float32, ldx int, p []float32, out []float32, ldo int) {
	np := n / PanelWidth // full panels
	ps := PanelWidth * k // one panel's values
	r := n - np*PanelWidth
	row := func(i int) *float32 { // x's row i
		if xT {
			return &x[i]
		}
		return &x[i*ldx]
	}
	m4 := m &^ 3
	// Tiles of 4 rows, panels outermost: a panel (or pair) stays in the
	// cache while every row of x goes by.
	m8 := m &^ 7
	j := 0
	if avx512 {
		// While the tiles of 8 rows go over a pair of panels, which then
		// sits in the cache, they prefetch the next pair: each tile a
		// share of its lines, a 64-byte line every 64/pfs steps.
		tiles := m8 / 8
		pfs := 0
		if tiles > 0 {
			pfs = min(64, 2*ps*4/(tiles*k))
		}
		for ; j+2 <= np; j += 2 {
			next := uintptr(unsafe.Pointer(&p[j*ps]))
			if j+4 <= np {
				next = uintptr(unsafe.Pointer(&p[(j+2)*ps]))
			}
			for i := 0; i < m8; i += 8 {
				if xT {
					mul8x32TAVX512(k, row(i), ldx, &p[j*ps], ps, &out[i*ldo+j*PanelWidth], ldo)
				} else {
					mul8x32AVX512(k, row(i), ldx, &p[j*ps], ps, &out[i*ldo+j*PanelWidth], ldo, next+uintptr(i/8*k*pfs), pfs)
				}
			}
			for i := m8; i < m4; i += 4 {
				if xT {
					mul4x32TAVX512(k, row(i), ldx, &p[j*ps], ps, &out[i*ldo+j*PanelWidth], ldo)
				} else {
					mul4x32AVX512(k, row(i), ldx, &p[j*ps], ps, &out[i*ldo+j*PanelWidth], ldo)
				}
			}
		}
	}
	for ; j < np; j++ {
		for i := 0; i < m4; i += 4 {
			if xT {
				mul4x16TAVX2(k, row(i), ldx, &p[j*ps], &out[i*ldo+j*PanelWidth], ldo)
			} else {
				mul4x16AVX2(k, row(i), ldx, &p[j*ps], &out[i*ldo+j*PanelWidth], ldo)
			}
		}
	}
	if r > 0 {
		for i := 0; i < m4; i += 4 {
			var tile [4 * PanelWidth]float32
			if xT {
				mul4x16TAVX2(k, row(i), ldx, &p[np*ps], &tile[0], PanelWidth)
			} else {
				mul4x16AVX2(k, row(i), ldx, &p[np*ps], &tile[0], PanelWidth)
			}
			for ii := 0; ii < 4; ii++ {
				o := out[(i+ii)*ldo+np*PanelWidth : (i+ii)*ldo+n]
				for jj := range o {
					o[jj] += tile[ii*PanelWidth+jj]
				}
			}
		}
	}
	// The last m%4 rows one at a time: wide tiles (x not transposed), then
	// one panel at a time.
	for i := m4; i < m; i++ {
		xi := row(i)
		j := 0
		if !xT {
			if avx512 {
				for ; j+8 <= np; j += 8 {
					mul1x128AVX512(k, xi, &p[j*ps], ps, &out[i*ldo+j*PanelWidth])
				}
			}
			for ; j+4 <= np; j += 4 {
				mul1x64AVX2(k, xi, &p[j*ps], ps, &out[i*ldo+j*PanelWidth])
			}
		}
		for ; j <= np; j++ {
			if j == np && r == 0 {
				break
			}
			o := &out[i*ldo+j*PanelWidth]
			var tile [PanelWidth]float32
			if j == np {
				o = &tile[0]
			}
			if xT {
				mul1x16TAVX2(k, xi, ldx, &p[j*ps], o)
			} else {
				mul1x16AVX2(k, xi, &p[j*ps], o)
			}
			if j == np {
				o := out[i*ldo+np*PanelWidth : i*ldo+n]
				for jj := range o {
					o[jj] += tile[jj]
				}
			}
		}
	}
}

// The tiles of packed_amd64.s: out[r*ldo + c] += sum_q x[r*ldx + q] *
// panel[q*16 + c%16] of panel c/16 (ps values apart), for k steps q, from
// zero, one fused multiply-add a step; the T tiles read x transposed,
// x[r, q] at xt[q*ldxt + r]. The caller checks the sizes.

//go:noescape
func mul4x16AVX2(k int, x *float32, ldx int, p *float32, out *float32, ldo int)

//go:noescape
func mul1x64AVX2(k int, x *float32, p *float32, ps int, out *float32)

//go:noescape
func mul1x16AVX2(k int, x *float32, p *float32, out *float32)

//go:noescape
func mul4x32AVX512(k int, x *float32, ldx int, p *float32, ps int, out *float32, ldo int)

//go:noescape
func mul4x16TAVX2(k int, xt *float32, ldxt int, p *float32, out *float32, ldo int)

//go:noescape
func mul1x16TAVX2(k int, xt *float32, ldxt int, p *float32, out *float32)

//go:noescape
func mul4x32TAVX512(k int, xt *float32, ldxt int, p *float32, ps int, out *float32, ldo int)

//go:noescape
func mul8x32AVX512(k int, x *float32, ldx int, p *float32, ps int, out *float32, ldo int, pf uintptr, pfs int)

//go:noescape
func mul8x32TAVX512(k int, xt *float32, ldxt int, p *float32, ps int, out *float32, ldo int)

//go:noescape
func mul1x128AVX512(k int, x *float32, p *float32, ps int, out *float32)

// cellAsm runs the units of Cell it can sixteen (AVX-512) or eight at a
// time (all but the last H%8) and returns how many it did.
func cellAsm(a []float32, H int, cPrev, c, h []float32, act *[5][]float32) int {
	return cellTiles(useAVX512, a, H, cPrev, c, h, act)
}

// cellTiles is cellAsm, with the AVX-512 tiles when avx512 (which the CPU
// must have): units up to H&^15 by sixteen, then eight more if there are.
func cellTiles(avx512 bool, a []float32, H int, cPrev, c, h []float32, act *[5][]float32) int {
	if !useAVX2 || H < 8 {
		return 0
	}
	var p *[5]*float32
	var ptrs [5]*float32
	if act != nil {
		ptrs = [5]*float32{&act[0][0], &act[1][0], &act[2][0], &act[3][0], &act[4][0]}
		p = &ptrs
	}
	k := 0
	if avx512 && H >= 16 {
		k = H &^ 15
		cellAVX512(k, &a[0], H, &cPrev[0], &c[0], &h[0], p)
	}
	if n := H &^ 7; n > k {
		var q *[5]*float32
		var qs [5]*float32
		if act != nil {
			qs = [5]*float32{&act[0][k], &act[1][k], &act[2][k], &act[3][k], &act[4][k]}
			q = &qs
		}
		cellAVX2(n-k, &a[k], H, &cPrev[k], &c[k], &h[k], q)
		k = n
	}
	return k
}

//go:noescape
func cellAVX2(n int, a *float32, H int, cPrev, c, h *float32, act *[5]*float32)

//go:noescape
func cellAVX512(n int, a *float32, H int, cPrev, c, h *float32, act *[5]*float32)
