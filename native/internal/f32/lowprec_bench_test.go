package f32

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkMulAddLow times the low-precision products against float32's
// packed one (and bfloat16 by pairs, MulAddPairsBF16) on one LSTM-sized matrix, at batch 1 and 64.
func BenchmarkMulAddLow(b *testing.B) {
	for _, size := range [][2]int{{640, 160}, {4096, 1024}} {
		rows, cols := size[0], size[1]
		for _, B := range []int{1, 64} {
			rng := rand.New(rand.NewPCG(1, 1))
			x := newBuffer(rng, B*cols).data()
			out := make([]float32, B*rows)
			for _, kind := range []lowKind{kindBF16, kindF16, kindI8} {
				m := newLowMatrix(rng, kind, rows, cols)
				b.Run(fmt.Sprintf("%v/%dx%d/B%d", kind, rows, cols, B), func(b *testing.B) {
					for range b.N {
						m.mulAdd(B, x, cols, out, rows)
					}
				})
				m.packLow()
				b.Run(fmt.Sprintf("%v-packed/%dx%d/B%d", kind, rows, cols, B), func(b *testing.B) {
					for range b.N {
						m.mulAddPacked(B, x, cols, out, rows)
					}
				})
			}
			wb := make([]uint16, rows*cols)
			for i := range wb {
				wb[i] = randBF16(rng, false)
			}
			pb := make([]uint16, PairsLen(rows, cols))
			PackPairsBF16(pb, wb, rows, cols, cols)
			b.Run(fmt.Sprintf("bf16-pairs/%dx%d/B%d", rows, cols, B), func(b *testing.B) {
				for range b.N {
					MulAddPairsBF16(B, rows, cols, x, cols, pb, out, rows)
				}
			})
			w := newBuffer(rng, rows*cols).data()
			p := make([]float32, PackedLen(rows, cols))
			Pack(p, w, rows, cols, cols)
			b.Run(fmt.Sprintf("f32packed/%dx%d/B%d", rows, cols, B), func(b *testing.B) {
				for range b.N {
					MulAddPacked(B, rows, cols, x, cols, p, out, rows)
				}
			})
		}
	}
}
