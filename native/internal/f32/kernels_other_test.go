//go:build !amd64 || purego

package f32

// No assembly in this build.
var (
	dotAsm  func(x, y []float32) float32
	axpyAsm func(y []float32, a float32, x []float32)
	dot4Asm func(x, w []float32, ldw int, out *[4]float32)
)

var (
	dotBF16Asm func(x []float32, w []uint16) float32
	dotF16Asm  func(x []float32, w []uint16) float32
	dotI8Asm   func(x []float32, q []int8) float32
)

func packedAsmImpls() []packedImpl { return nil }

func cellAsmImpls() []cellImpl { return nil }
