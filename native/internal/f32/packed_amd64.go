//go:build amd64 && !purego

package f32

import "golang.org/x/sys/cpu"

// useAVX512 adds the AVX-512 tiles of packed_amd64.s (4 rows by 32 columns,
// 1 row by 128) to the AVX2 ones.
var useAVX512 = useAVX2 && cpu.X86.HasAVX512F

// mulAddPacked is MulAddPacked without the checks (m, n, k > 0): tiles of 4
// rows by 32 (AVX-512) or 16 columns, then the last rows one at a time by
// 128 (AVX-512), 64 or 16 columns. Each tile sums every entry the same way
// (one fused multiply-add a step from zero, then out += the sum), so the
// tiles' sizes change no bit. The last, partial panel goes through a tile
// on the stack.
func mulAddPacked(m, n, k int, x []float32, ldx int, p []float32, out []float32, ldo int) {
	if !useAVX2 {
		mulAddPackedGo(m, n, k, x, ldx, p, out, ldo)
		return
	}
	mulAddPackedAsm(useAVX512, m, n, k, x, ldx, p, out, ldo)
}

// mulAddPackedAsm is mulAddPacked's assembly tiles, the AVX-512 ones with
// avx512 (which the CPU must have).
func mulAddPackedAsm(avx512 bool, m, n, k int, x []float32, ldx int, p []float32, out []float32, ldo int) {
	np := n / PanelWidth // full panels
	ps := PanelWidth * k // one panel's values
	i := 0
	for ; i+4 <= m; i += 4 {
		xi := &x[i*ldx]
		j := 0
		if avx512 {
			for ; j+2 <= np; j += 2 {
				mul4x32AVX512(k, xi, ldx, &p[j*ps], ps, &out[i*ldo+j*PanelWidth], ldo)
			}
		}
		for ; j < np; j++ {
			mul4x16AVX2(k, xi, ldx, &p[j*ps], &out[i*ldo+j*PanelWidth], ldo)
		}
		if r := n - np*PanelWidth; r > 0 {
			var tile [4 * PanelWidth]float32
			mul4x16AVX2(k, xi, ldx, &p[np*ps], &tile[0], PanelWidth)
			for ii := 0; ii < 4; ii++ {
				o := out[(i+ii)*ldo+np*PanelWidth : (i+ii)*ldo+n]
				for jj := range o {
					o[jj] += tile[ii*PanelWidth+jj]
				}
			}
		}
	}
	for ; i < m; i++ {
		xi := &x[i*ldx]
		j := 0
		if avx512 {
			for ; j+8 <= np; j += 8 {
				mul1x128AVX512(k, xi, &p[j*ps], ps, &out[i*ldo+j*PanelWidth])
			}
		}
		for ; j+4 <= np; j += 4 {
			mul1x64AVX2(k, xi, &p[j*ps], ps, &out[i*ldo+j*PanelWidth])
		}
		for ; j < np; j++ {
			mul1x16AVX2(k, xi, &p[j*ps], &out[i*ldo+j*PanelWidth])
		}
		if r := n - np*PanelWidth; r > 0 {
			var tile [PanelWidth]float32
			mul1x16AVX2(k, xi, &p[np*ps], &tile[0])
			o := out[i*ldo+np*PanelWidth : i*ldo+n]
			for jj := range o {
				o[jj] += tile[jj]
			}
		}
	}
}

// The tiles of packed_amd64.s: out[r*ldo + c] += sum_q x[r*ldx + q] *
// panel[q*16 + c%16] of panel c/16 (ps values apart), for k steps q, from
// zero, one fused multiply-add a step. The caller checks the sizes.

//go:noescape
func mul4x16AVX2(k int, x *float32, ldx int, p *float32, out *float32, ldo int)

//go:noescape
func mul1x64AVX2(k int, x *float32, p *float32, ps int, out *float32)

//go:noescape
func mul1x16AVX2(k int, x *float32, p *float32, out *float32)

//go:noescape
func mul4x32AVX512(k int, x *float32, ldx int, p *float32, ps int, out *float32, ldo int)

//go:noescape
func mul1x128AVX512(k int, x *float32, p *float32, ps int, out *float32)
