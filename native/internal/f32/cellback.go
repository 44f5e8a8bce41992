package f32

import "fmt"

// CellBackward is Cell's backward on one row of H units: from the loss
// gradients dh of h and dc of c [H], the activations act of Cell (i, f, g,
// o and tanh(c), [H] each) and the previous cell state cPrev [H], it writes
// the gradients of the gates' pre-activations into da [4H] (blocks i, f, g,
// o) and replaces dc by the gradient of cPrev. Reference loop:
//
//	for k := 0; k < H; k++ {
//		i, f, g, o, tc := act[0][k], act[1][k], act[2][k], act[3][k], act[4][k]
//		dck := dc[k] + dh[k]*o*(1-tc*tc)
//		do := dh[k] * tc
//		di := dck * g
//		dg := dck * i
//		df := dck * cPrev[k]
//		dc[k] = dck * f
//		da[k] = di * i * (1 - i)
//		da[H+k] = df * f * (1 - f)
//		da[2H+k] = dg * (1 - g*g)
//		da[3H+k] = do * o * (1 - o)
//	}
//
// With AVX2, eight units at a time, with the same operations in the same
// order (same bits, for GOAMD64 v1 and v2, where Go does not fuse a
// multiply and an add).
func CellBackward(act *[5][]float32, cPrev, dh, dc, da []float32, H int) {
	if len(cPrev) < H || len(dh) < H || len(dc) < H || len(da) < 4*H {
		panic(fmt.Sprintf("f32: CellBackward of %d units: cPrev %d, dh %d, dc %d, da %d", H, len(cPrev), len(dh), len(dc), len(da)))
	}
	for _, r := range act {
		if len(r) < H {
			panic(fmt.Sprintf("f32: CellBackward of %d units: an activation row of %d", H, len(r)))
		}
	}
	k := cellBackwardAsm(act, cPrev, dh, dc, da, H)
	cellBackwardGo(k, act, cPrev, dh, dc, da, H)
}

// cellBackwardGo is CellBackward's portable loop, from unit k0 on.
func cellBackwardGo(k0 int, act *[5][]float32, cPrev, dh, dc, da []float32, H int) {
	ai, af, ag, ao, atc := act[0][:H], act[1][:H], act[2][:H], act[3][:H], act[4][:H]
	cPrev, dh, dc = cPrev[:H], dh[:H], dc[:H]
	for k := k0; k < H; k++ {
		i, f, g, o, tc := ai[k], af[k], ag[k], ao[k], atc[k]
		dck := dc[k] + dh[k]*o*(1-tc*tc)
		do := dh[k] * tc
		di := dck * g
		dg := dck * i
		df := dck * cPrev[k]
		dc[k] = dck * f
		da[k] = di * i * (1 - i)
		da[H+k] = df * f * (1 - f)
		da[2*H+k] = dg * (1 - g*g)
		da[3*H+k] = do * o * (1 - o)
	}
}
