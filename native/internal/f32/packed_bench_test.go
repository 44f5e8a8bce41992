package f32

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkMulAddPacked reports the multiply-adds a second of MulAddPacked
// on the shapes of the presets' products.
func BenchmarkMulAddPacked(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range [][3]int{{1, 640, 160}, {32, 640, 160}, {64, 640, 320}, {1, 4096, 1024}, {64, 4096, 2048}} {
		m, n, k := s[0], s[1], s[2]
		x := newBuffer(rng, m*k).data()
		w := newBuffer(rng, n*k).data()
		p := make([]float32, PackedLen(n, k))
		Pack(p, w, n, k, k)
		out := make([]float32, m*n)
		b.Run(fmt.Sprintf("%dx%dx%d", m, n, k), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				MulAddPacked(m, n, k, x, k, p, out, n)
			}
			b.ReportMetric(float64(m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GMAC/s")
		})
	}
}
