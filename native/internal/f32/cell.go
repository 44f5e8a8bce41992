package f32

import "fmt"

// Cell is the LSTM cell on one row of H units: from the gates'
// pre-activations a [4H] (blocks i, f, g, o) and the previous cell state
// cPrev [H] to the new cell state c and output h [H] (c may be cPrev).
// Reference loop:
//
//	for k := 0; k < H; k++ {
//		i := Sigmoid(a[k])
//		f := Sigmoid(a[H+k])
//		g := Tanh(a[2H+k])
//		o := Sigmoid(a[3H+k])
//		c[k] = f*cPrev[k] + i*g
//		h[k] = o * Tanh(c[k])
//	}
//
// act, when not nil, receives i, f, g, o and tanh(c[k]) of every unit, [H]
// each, for the backward pass. With AVX2, eight units at a time, with the
// same operations in the same order (same bits, for GOAMD64 v1 and v2,
// where Go does not fuse a multiply and an add).
func Cell(a []float32, H int, cPrev, c, h []float32, act *[5][]float32) {
	if len(a) < 4*H || len(cPrev) < H || len(c) < H || len(h) < H {
		panic(fmt.Sprintf("f32: Cell of %d units: gates %d, cPrev %d, c %d, h %d", H, len(a), len(cPrev), len(c), len(h)))
	}
	if act != nil {
		for _, r := range act {
			if len(r) < H {
				panic(fmt.Sprintf("f32: Cell of %d units: an activation row of %d", H, len(r)))
			}
		}
	}
	k := cellAsm(a, H, cPrev, c, h, act)
	cellGo(k, a, H, cPrev, c, h, act)
}

// cellGo is Cell's portable loop, from unit k0 on.
func cellGo(k0 int, a []float32, H int, cPrev, c, h []float32, act *[5][]float32) {
	for k := k0; k < H; k++ {
		i := Sigmoid(a[k])
		f := Sigmoid(a[H+k])
		g := Tanh(a[2*H+k])
		o := Sigmoid(a[3*H+k])
		cj := f*cPrev[k] + i*g
		tc := Tanh(cj)
		c[k] = cj
		h[k] = o * tc
		if act != nil {
			act[0][k], act[1][k], act[2][k], act[3][k], act[4][k] = i, f, g, o, tc
		}
	}
}
