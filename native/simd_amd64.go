//go:build amd64 && !purego

package native

import "golang.org/x/sys/cpu"

// useAVX2 selects the AVX2/FMA kernels of simd_amd64.s (build with the tag
// purego to use the portable Go loops only).
var useAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

//go:noescape
func dotAVX2(x, y []float32) float32

//go:noescape
func axpyAVX2(y []float32, a float32, x []float32)

//go:noescape
func dot4AVX2(x, w []float32, out *[4]float32)
