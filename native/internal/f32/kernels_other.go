//go:build !amd64 || purego

package f32

// useAVX2 is false: the portable loops only.
const useAVX2 = false

// dot is Dot without the length check.
func dot(x, y []float32) float32 { return dotGo(x, y) }

// dot4 sets out[q] = dot(x, w[q*ldw : q*ldw+len(x)]) for q < 4.
func dot4(x, w []float32, ldw int, out *[4]float32) { dot4Go(x, w, ldw, out) }

// axpy is Axpy without the length check (len(y) >= len(x)).
func axpy(y []float32, a float32, x []float32) { axpyGo(y, a, x) }
