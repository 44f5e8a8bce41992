//go:build amd64 && !purego

package f32

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// LowPacked reports whether the packed low-precision products have
// assembly (AVX-512 with BW, for VPMOVZXWD on 512 bits): where they do not,
// a caller does better with the row-major products (MulAddBF16 and the
// others) and no packing.
var LowPacked = useAVX512 && cpu.X86.HasAVX512BW && useF16C

// mulAddPackedLow is the packed products over n (a multiple of 16, > 0)
// rows of W: tiles of 4 rows of x by 32 or 16 columns, then the last rows
// one at a time by 64 or 16 columns.
func mulAddPackedLow(t lowType, m, n, k int, x []float32, ldx int, u16 []uint16, q []int8, scale []float32, out []float32, ldo int) {
	if !LowPacked {
		mulAddPackedLowGo(t, m, n, k, x, ldx, u16, q, scale, out, ldo)
		return
	}
	es := 2
	var base unsafe.Pointer
	var sc *float32
	if t == lowI8 {
		es, base, sc = 1, unsafe.Pointer(&q[0]), &scale[0]
	} else {
		base = unsafe.Pointer(&u16[0])
	}
	tiles := &lowTiles[t]
	np := n / PanelWidth
	ps := PanelWidth * k * es // one panel's bytes
	panel := func(j int) unsafe.Pointer { return unsafe.Add(base, j*ps) }
	scaleAt := func(j int) *float32 {
		if sc == nil {
			return nil
		}
		return (*float32)(unsafe.Add(unsafe.Pointer(sc), 4*j*PanelWidth))
	}
	i := 0
	for ; i+4 <= m; i += 4 {
		xi := &x[i*ldx]
		j := 0
		for ; j+2 <= np; j += 2 {
			tiles.m4x32(k, xi, ldx, panel(j), ps, &out[i*ldo+j*PanelWidth], ldo, scaleAt(j))
		}
		for ; j < np; j++ {
			tiles.m4x16(k, xi, ldx, panel(j), ps, &out[i*ldo+j*PanelWidth], ldo, scaleAt(j))
		}
	}
	for ; i < m; i++ {
		xi := &x[i*ldx]
		j := 0
		for ; j+4 <= np; j += 4 {
			tiles.m1x64(k, xi, ldx, panel(j), ps, &out[i*ldo+j*PanelWidth], ldo, scaleAt(j))
		}
		for ; j < np; j++ {
			tiles.m1x16(k, xi, ldx, panel(j), ps, &out[i*ldo+j*PanelWidth], ldo, scaleAt(j))
		}
	}
}

type lowTile func(k int, x *float32, ldx int, p unsafe.Pointer, ps int, out *float32, ldo int, scale *float32)

var lowTiles = [3]struct{ m4x32, m4x16, m1x64, m1x16 lowTile }{
	lowBF16: {mul4x32BF16AVX512, mul4x16BF16AVX512, mul1x64BF16AVX512, mul1x16BF16AVX512},
	lowF16:  {mul4x32F16AVX512, mul4x16F16AVX512, mul1x64F16AVX512, mul1x16F16AVX512},
	lowI8:   {mul4x32I8AVX512, mul4x16I8AVX512, mul1x64I8AVX512, mul1x16I8AVX512},
}

// The tiles of lowpacked_amd64.s (the caller checks the sizes).

//go:noescape
func mul4x32BF16AVX512(k int, x *float32, ldx int, p unsafe.Pointer, ps int, out *float32, ldo int, scale *float32)

//go:noescape
func mul4x16BF16AVX512(k int, x *float32, ldx int, p unsafe.Pointer, ps int, out *float32, ldo int, scale *float32)

//go:noescape
func mul1x64BF16AVX512(k int, x *float32, ldx int, p unsafe.Pointer, ps int, out *float32, ldo int, scale *float32)

//go:noescape
func mul1x16BF16AVX512(k int, x *float32, ldx int, p unsafe.Pointer, ps int, out *float32, ldo int, scale *float32)

//go:noescape
func mul4x32F16AVX512(k int, x *float32, ldx int, p unsafe.Pointer, ps int, out *float32, ldo int, scale *float32)

//go:noescape
func mul4x16F16AVX512(k int, x *float32, ldx int, p unsafe.Pointer, ps int, out *float32, ldo int, scale *float32)

//go:noescape
func mul1x64F16AVX512(k int, x *float32, ldx int, p unsafe.Pointer, ps int, out *float32, ldo int, scale *float32)

//go:noescape
func mul1x16F16AVX512(k int, x *float32, ldx int, p unsafe.Pointer, ps int, out *float32, ldo int, scale *float32)

//go:noescape
func mul4x32I8AVX512(k int, x *float32, ldx int, p unsafe.Pointer, ps int, out *float32, ldo int, scale *float32)

//go:noescape
func mul4x16I8AVX512(k int, x *float32, ldx int, p unsafe.Pointer, ps int, out *float32, ldo int, scale *float32)

//go:noescape
func mul1x64I8AVX512(k int, x *float32, ldx int, p unsafe.Pointer, ps int, out *float32, ldo int, scale *float32)

//go:noescape
func mul1x16I8AVX512(k int, x *float32, ldx int, p unsafe.Pointer, ps int, out *float32, ldo int, scale *float32)
