//go:build amd64 && !purego

package f32

// cellBackwardAsm does units k < H&^7 of CellBackward with AVX2 and
// returns how many it did.
func cellBackwardAsm(act *[5][]float32, cPrev, dh, dc, da []float32, H int) int {
	n := H &^ 7
	if !useAVX2 || n == 0 {
		return 0
	}
	p := [5]*float32{&act[0][0], &act[1][0], &act[2][0], &act[3][0], &act[4][0]}
	cellBackwardAVX2(n, &p, &cPrev[0], &dh[0], &dc[0], &da[0], H)
	return n
}

// cellBackwardAVX2 is CellBackward's loop on units k < n (a multiple of 8);
// act points at the five activation rows.
//
//go:noescape
func cellBackwardAVX2(n int, act *[5]*float32, cPrev, dh, dc, da *float32, H int)
