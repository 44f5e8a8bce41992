//go:build !amd64 || purego

package f32

// cellBackwardAsm does no unit: the portable loop does them all.
func cellBackwardAsm(act *[5][]float32, cPrev, dh, dc, da []float32, H int) int { return 0 }
