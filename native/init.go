package native

import "github.com/musicvae-go/mvae/native/internal/f32"

// initState computes init(v, lin, L, H) of spec §2 for B rows of v [B, in]:
//
//	s = tanh(v W^T + b)                  [B, 2LH], viewed [B, 2, L, H]
//	h0[l] = s[:, 0, l];  c0[l] = s[:, 1, l]
//
// (a transpose, not a reshape). h0 and c0 are [L][B*H]; s [B, 2LH] is kept
// for initBackward.
func initState(s, v []float32, W *matrix, bias []float32, B, in, L, H int, h0, c0 [][]float32) {
	W.mul(s[:B*2*L*H], v[:B*in], bias, B)
	// The rows' tanh and scatter, split by rows as a cell is.
	runSplit(task{init: true, s: s, L: L, H: H, h0: h0, c0: c0}, B, splitInto(B*2*L*H, cellSplitMin))
}

// initRows is initState's tanh and scatter of the rows [b0, b1) of s.
func initRows(s []float32, b0, b1, L, H int, h0, c0 [][]float32) {
	for b := b0; b < b1; b++ {
		row := s[b*2*L*H : (b+1)*2*L*H]
		for i := range row {
			row[i] = f32.Tanh(row[i])
		}
		for l := 0; l < L; l++ {
			copy(h0[l][b*H:(b+1)*H], row[l*H:(l+1)*H])
			copy(c0[l][b*H:(b+1)*H], row[(L+l)*H:(L+l+1)*H])
		}
	}
}

// newInit makes initState's buffers for B rows: s [B, 2LH], h0 and c0
// [L][B*H], from ws (nil: allocated; initState writes them in full).
func newInit(ws *workspace, B, L, H int) (s []float32, h0, c0 [][]float32) {
	s = ws.floats(B * 2 * L * H)
	h0, c0 = make([][]float32, L), make([][]float32, L)
	for l := 0; l < L; l++ {
		h0[l], c0[l] = ws.floats(B*H), ws.floats(B*H)
	}
	return s, h0, c0
}

// initBackward backpropagates initState: from the gradients of h0 and c0 to
// those of the linear's weights (accumulated into dW, db) and of v
// (returned):
//
//	ds = [dh0, dc0] * (1 - s^2)
//	dW += ds^T v;  db += sum_b ds;  dv = ds W
//
// wT is W packed transposed (see linearBackward).
func initBackward(ws *workspace, s []float32, dh0, dc0 [][]float32, v, W []float32, wT *packedT, B, in, L, H int, dW, db []float32) []float32 {
	dpre := ws.floats(B * 2 * L * H) // written in full
	for b := 0; b < B; b++ {
		for l := 0; l < L; l++ {
			for k := 0; k < H; k++ {
				ih := b*2*L*H + l*H + k
				ic := b*2*L*H + (L+l)*H + k
				dpre[ih] = dh0[l][b*H+k] * (1 - s[ih]*s[ih])
				dpre[ic] = dc0[l][b*H+k] * (1 - s[ic]*s[ic])
			}
		}
	}
	return linearBackward(ws, dpre, v, W, wT, B, in, 2*L*H, dW, db)
}
