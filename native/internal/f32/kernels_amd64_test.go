//go:build amd64 && !purego

package f32

// The assembly kernels, where this CPU runs them (nil otherwise), for the
// tests to hold against the reference loops beside the dispatching kernels.
var (
	dotAsm  func(x, y []float32) float32
	axpyAsm func(y []float32, a float32, x []float32)
	dot4Asm func(x, w []float32, ldw int, out *[4]float32)
)

func init() {
	if useAVX2 {
		dotAsm, axpyAsm, dot4Asm = dotAVX2, axpyAVX2, dot4AVX2
	}
}

// The low-precision dot kernels' assembly, where this CPU runs it.
var (
	dotBF16Asm func(x []float32, w []uint16) float32
	dotF16Asm  func(x []float32, w []uint16) float32
	dotI8Asm   func(x []float32, q []int8) float32
)

func init() {
	if useAVX2 {
		dotBF16Asm, dotI8Asm = dotBF16AVX2, dotI8AVX2
	}
	if useF16C {
		dotF16Asm = dotF16AVX2
	}
}

// packedAsmImpls are MulAddPacked's (and MulAddPackedT's) assembly tile
// sets this CPU runs.
func packedAsmImpls() []packedImpl {
	set := func(name string, avx512 bool) packedImpl {
		return packedImpl{name,
			func(m, n, k int, x []float32, ldx int, p []float32, out []float32, ldo int) {
				if m > 0 && n > 0 && k > 0 { // their contract
					mulAddPackedAsm(avx512, false, m, n, k, x, ldx, p, out, ldo)
				}
			},
			func(m, n, k int, xt []float32, ldxt int, p []float32, out []float32, ldo int) {
				if m > 0 && n > 0 && k > 0 {
					mulAddPackedAsm(avx512, true, m, n, k, xt, ldxt, p, out, ldo)
				}
			}}
	}
	var im []packedImpl
	if useAVX2 {
		im = append(im, set("mulAddPackedAVX2", false))
	}
	if useAVX512 {
		im = append(im, set("mulAddPackedAVX512", true))
	}
	return im
}

// cellAsmImpls are Cell's assembly tile sets this CPU runs, each finished
// by the portable loop.
func cellAsmImpls() []cellImpl {
	set := func(name string, avx512 bool) cellImpl {
		return cellImpl{name, func(a []float32, H int, cPrev, c, h []float32, act *[5][]float32) {
			k := cellTiles(avx512, a, H, cPrev, c, h, act)
			cellGo(k, a, H, cPrev, c, h, act)
		}}
	}
	var im []cellImpl
	if useAVX2 {
		im = append(im, set("cellAVX2", false))
	}
	if useAVX512 {
		im = append(im, set("cellAVX512", true))
	}
	return im
}
