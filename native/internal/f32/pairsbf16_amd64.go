//go:build amd64 && !purego

package f32

import (
	"math"
	"unsafe"

	"golang.org/x/sys/cpu"
)

// PairsBF16 reports whether MulAddPairsBF16 has its assembly (AVX-512
// BF16, VDPBF16PS): where it does not, a caller does better with the
// bfloat16 products that widen W (MulAddPackedBF16, MulAddBF16).
var PairsBF16 = useAVX512 && cpu.X86.HasAVX512BF16

// mulAddPairs is MulAddPairsBF16 on sizes already checked (m, n, k > 0):
// tiles of 4 rows of x by 64, 32 or 16 columns (a block of panels for
// every 4 rows in turn), then the last rows one at a time by 64 or 16
// columns; a last panel of fewer than 16 rows goes through a buffer of -0
// (-0 + s is s, bit for bit) so that out is written only where it lies.
func mulAddPairs(m, n, k int, x []float32, ldx int, p []uint16, out []float32, ldo int) {
	if !PairsBF16 {
		mulAddPairsGo(m, n, k, x, ldx, p, out, ldo)
		return
	}
	ps := PanelWidth * (k + k%2) * 2 // one panel's bytes
	base := unsafe.Pointer(&p[0])
	panel := func(j int) unsafe.Pointer { return unsafe.Add(base, j*ps) }
	full := n / PanelWidth
	rest := n - full*PanelWidth
	negZero := math.Float32frombits(0x80000000)
	// The panels in blocks of pairsBlock, each block (read from memory
	// once) against every 4 rows of x, from the cache.
	m4 := m / 4 * 4
	for jb := 0; jb < full; jb += pairsBlock {
		je := min(jb+pairsBlock, full)
		for i := 0; i < m4; i += 4 {
			xi := &x[i*ldx]
			j := jb
			for ; j+4 <= je; j += 4 {
				pairs4x64(k, xi, ldx, panel(j), ps, &out[i*ldo+j*PanelWidth], ldo)
			}
			for ; j+2 <= je; j += 2 {
				pairs4x32(k, xi, ldx, panel(j), ps, &out[i*ldo+j*PanelWidth], ldo)
			}
			for ; j < je; j++ {
				pairs4x16(k, xi, ldx, panel(j), ps, &out[i*ldo+j*PanelWidth], ldo)
			}
		}
	}
	for i := 0; i < m4 && rest > 0; i += 4 {
		var t [4 * PanelWidth]float32
		for e := range t {
			t[e] = negZero
		}
		pairs4x16(k, &x[i*ldx], ldx, panel(full), ps, &t[0], PanelWidth)
		for r := range 4 {
			o := out[(i+r)*ldo+full*PanelWidth : (i+r)*ldo+n]
			for jj := range o {
				o[jj] += t[r*PanelWidth+jj]
			}
		}
	}
	for i := m4; i < m; i++ {
		xi := &x[i*ldx]
		j := 0
		for ; j+4 <= full; j += 4 {
			pairs1x64(k, xi, ldx, panel(j), ps, &out[i*ldo+j*PanelWidth], ldo)
		}
		for ; j < full; j++ {
			pairs1x16(k, xi, ldx, panel(j), ps, &out[i*ldo+j*PanelWidth], ldo)
		}
		if rest > 0 {
			var t [PanelWidth]float32
			for e := range t {
				t[e] = negZero
			}
			pairs1x16(k, xi, ldx, panel(full), ps, &t[0], PanelWidth)
			o := out[i*ldo+full*PanelWidth : i*ldo+n]
			for jj := range o {
				o[jj] += t[jj]
			}
		}
	}
}

// pairsBlock is the panels mulAddPairs runs against every 4 rows of x in
// turn: 64 columns, one 4x64 tile (about 1.2x faster than all the panels
// for each 4 rows on [4096, 1024] at batch 16 and 64, where W does not
// fit the cache).
const pairsBlock = 4

// The tiles of pairsbf16_amd64.s (the caller checks the sizes; ps is in
// bytes).

//go:noescape
func pairs4x64(k int, x *float32, ldx int, p unsafe.Pointer, ps int, out *float32, ldo int)

//go:noescape
func pairs4x32(k int, x *float32, ldx int, p unsafe.Pointer, ps int, out *float32, ldo int)

//go:noescape
func pairs4x16(k int, x *float32, ldx int, p unsafe.Pointer, ps int, out *float32, ldo int)

//go:noescape
func pairs1x64(k int, x *float32, ldx int, p unsafe.Pointer, ps int, out *float32, ldo int)

//go:noescape
func pairs1x16(k int, x *float32, ldx int, p unsafe.Pointer, ps int, out *float32, ldo int)
