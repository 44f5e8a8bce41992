//go:build !amd64 || purego

package native

const useAVX2 = false

func dotAVX2(x, y []float32) float32               { panic("native: no AVX2") }
func axpyAVX2(y []float32, a float32, x []float32) { panic("native: no AVX2") }

func dot4AVX2(x, w []float32, out *[4]float32) { panic("native: no AVX2") }
