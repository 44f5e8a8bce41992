//go:build amd64 && !purego

package f32

import "golang.org/x/sys/cpu"

// useAVX2 selects the AVX2/FMA kernels of simd_amd64.s.
var useAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// dot is Dot without the length check.
func dot(x, y []float32) float32 {
	if useAVX2 && len(x) >= 16 {
		return dotAVX2(x, y)
	}
	return dotGo(x, y)
}

// dot4 sets out[q] = dot(x, w[q*ldw : q*ldw+len(x)]) for q < 4: four rows of
// w, ldw apart, against one x. The caller checks len(w) >= 3 ldw + len(x).
func dot4(x, w []float32, ldw int, out *[4]float32) {
	if useAVX2 && len(x) >= 8 {
		dot4AVX2(x, w, ldw, out)
		return
	}
	dot4Go(x, w, ldw, out)
}

// axpy is Axpy without the length check (len(y) >= len(x)).
func axpy(y []float32, a float32, x []float32) {
	if useAVX2 && len(x) >= 16 {
		axpyAVX2(y, a, x)
		return
	}
	axpyGo(y, a, x)
}

//go:noescape
func dotAVX2(x, y []float32) float32

//go:noescape
func axpyAVX2(y []float32, a float32, x []float32)

//go:noescape
func dot4AVX2(x, w []float32, ldw int, out *[4]float32)
