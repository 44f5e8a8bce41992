package native

import (
	"fmt"

	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/native/internal/f32"
)

// LSTM is one direction of one layer of PyTorch's nn.LSTM, in its gate order
// (i, f, g, o): WIH [4H, I], WHH [4H, H], and the two biases summed.
type LSTM struct {
	H, I int
	WIH  []float32
	WHH  []float32
	Bias []float32 // bias_ih + bias_hh, [4H]

	wih, whh *matrix // WIH and WHH packed for the forward products
	// whhT and wihT: WHH and the last columns of WIH packed transposed for
	// backwardSeq's dh_prev and dx, shared by a Trainer's goroutines.
	whhT, wihT packedT
}

// NewLSTM takes PyTorch's four tensors.
func NewLSTM(wih, whh, bih, bhh []float32, H, I int) *LSTM {
	if len(wih) != 4*H*I || len(whh) != 4*H*H || len(bih) != 4*H || len(bhh) != 4*H {
		panic(fmt.Sprintf("native: LSTM weights of the wrong size for H %d, I %d", H, I))
	}
	b := make([]float32, 4*H)
	for k := range b {
		b[k] = bih[k] + bhh[k]
	}
	return &LSTM{H: H, I: I, WIH: wih, WHH: whh, Bias: b, wih: newMatrix(wih, 4*H, I), whh: newMatrix(whh, 4*H, H)}
}

// refill is NewLSTM in place, on an LSTM of the same sizes made by
// NewLSTM: it takes the new tensors; its caller then runs l.repacks(),
// which repack them (and the transposed packs made so far) into the memory
// they held, with the bits NewLSTM and packedT.get would give.
func (l *LSTM) refill(wih, whh, bih, bhh []float32, H, I int) {
	if H != l.H || I != l.I || l.WIH == nil || len(wih) != 4*H*I || len(whh) != 4*H*H || len(bih) != 4*H || len(bhh) != 4*H {
		panic(fmt.Sprintf("native: refilling an LSTM of H %d, I %d with one of H %d, I %d", l.H, l.I, H, I))
	}
	l.WIH, l.WHH = wih, whh
	for k := range l.Bias {
		l.Bias[k] = bih[k] + bhh[k]
	}
}

// repack is one pack of refill and the number of values it writes.
type repack struct {
	n   int
	run func()
}

// repacks are the packs of refill: they write apart, so that they, and
// those of every LSTM of a model, can run side by side.
func (l *LSTM) repacks() []repack {
	H, I, G, wih, whh := l.H, l.I, 4*l.H, l.WIH, l.WHH
	var packs []repack
	if I > 0 {
		packs = append(packs, repack{len(l.wih.f32), func() { f32.Pack(l.wih.f32, wih, G, I, I) }})
	}
	packs = append(packs, repack{len(l.whh.f32), func() { f32.Pack(l.whh.f32, whh, G, H, H) }})
	if t := l.whhT.m; t != nil {
		packs = append(packs, repack{len(t.f32), func() { f32.PackT(t.f32, whh, H, G, H) }})
	}
	if t := l.wihT.m; t != nil {
		packs = append(packs, repack{len(t.f32), func() { f32.PackT(t.f32, wih[I-t.rows:], t.rows, G, I) }})
	}
	return packs
}

// newLSTMStored is NewLSTM for weights stored below float32 (or, with own,
// float32 weights the model owns): the products use them as stored
// (newMatrixStored, with own and pairs); WIH and WHH are nil (no training).
func newLSTMStored(wih, whh *model.Stored, bih, bhh []float32, H, I int, own, pairs bool) *LSTM {
	if wih.Len() != 4*H*I || whh.Len() != 4*H*H || len(bih) != 4*H || len(bhh) != 4*H {
		panic(fmt.Sprintf("native: LSTM weights of the wrong size for H %d, I %d", H, I))
	}
	b := make([]float32, 4*H)
	for k := range b {
		b[k] = bih[k] + bhh[k]
	}
	return &LSTM{H: H, I: I, Bias: b, wih: newMatrixStored(wih, 4*H, I, own, pairs), whh: newMatrixStored(whh, 4*H, H, own, pairs)}
}

// Step advances B sequences by one step, in place:
//
//	gates = x W_ih^T + h W_hh^T + b_ih + b_hh     [B, 4H], blocks i, f, g, o
//	(h, c) = cell(gates, c)                        see cell
//
// x is [B, I]; h and c are [B, H]; gates is scratch of [B, 4H].
func (l *LSTM) Step(x, h, c, gates []float32, B int) {
	if len(x) != B*l.I || len(h) != B*l.H || len(c) != B*l.H || len(gates) != B*4*l.H {
		panic(fmt.Sprintf("native: LSTM.Step sizes: x %d, h %d, c %d, gates %d for B %d, I %d, H %d", len(x), len(h), len(c), len(gates), B, l.I, l.H))
	}
	l.step(x, h, c, h, c, gates, B, nil)
}

// step is Step from (hPrev, cPrev) into (h, c), which may be the same
// buffers; act, when not nil, keeps the activations for cellBackward.
func (l *LSTM) step(x, hPrev, cPrev, h, c, gates []float32, B int, act *cellActs) {
	H := l.H
	for b := 0; b < B; b++ {
		copy(gates[b*4*H:(b+1)*4*H], l.Bias)
	}
	// gates += x W_ih^T, then += hPrev W_hh^T: one split for both.
	mulAdd2(gates[:B*4*H], l.wih, x[:B*l.I], l.whh, hPrev[:B*H], B)
	cell(gates, cPrev, c, h, B, H, act)
}

// recur finishes a step whose gates hold the input part and the biases: it
// adds hPrev W_hh^T and applies cell.
func (l *LSTM) recur(gates, hPrev, cPrev, h, c []float32, B int, act *cellActs) {
	H := l.H
	l.whh.mulAdd(gates[:B*4*H], hPrev[:B*H], B)
	cell(gates, cPrev, c, h, B, H, act)
}

// cellActs keeps what cellBackward needs of one step, [B, H] each: the gate
// activations and tanh of the new cell state.
type cellActs struct {
	i, f, g, o, tc []float32
}

// cell is the LSTM cell, from the gates' pre-activations a = gates [B, 4H]
// (blocks i, f, g, o) and the previous cell state cPrev [B, H] to the new
// cell state c and output h [B, H] (c may be cPrev):
//
//	i = sigmoid(a_i)
//	f = sigmoid(a_f)
//	g = tanh(a_g)
//	o = sigmoid(a_o)
//	c = f * c_prev + i * g
//	h = o * tanh(c)
//
// act, when not nil, keeps i, f, g, o and tanh(c) for cellBackward.
func cell(gates, cPrev, c, h []float32, B, H int, act *cellActs) {
	runSplit(task{cell: true, gates: gates, cPrev: cPrev, c: c, h: h, H: H, act: act}, B, splitInto(B*H, cellSplitMin))
}

// cellRows is cell on rows [b0, b1).
func cellRows(gates, cPrev, c, h []float32, b0, b1, H int, act *cellActs) {
	for b := b0; b < b1; b++ {
		r := b * H
		if act == nil {
			f32.Cell(gates[b*4*H:(b+1)*4*H], H, cPrev[r:r+H], c[r:r+H], h[r:r+H], nil)
			continue
		}
		ar := [5][]float32{act.i[r : r+H], act.f[r : r+H], act.g[r : r+H], act.o[r : r+H], act.tc[r : r+H]}
		f32.Cell(gates[b*4*H:(b+1)*4*H], H, cPrev[r:r+H], c[r:r+H], h[r:r+H], &ar)
	}
}

// cellBackward is cell's backward: given the loss gradients dh of h and dc of
// c [B, H] and the step's activations and cPrev, it writes the gradients of
// the pre-activations into da [B, 4H] and replaces dc by the gradient of
// c_prev:
//
//	dc = dc + dh * o * (1 - tanh(c)^2)
//	do = dh * tanh(c)
//	di = dc * g
//	dg = dc * i
//	df = dc * c_prev
//	dc_prev = dc * f
//	da_i = di * i (1 - i)
//	da_f = df * f (1 - f)
//	da_g = dg * (1 - g^2)
//	da_o = do * o (1 - o)
//
// (f32.CellBackward, one row at a time.)
func cellBackward(act *cellActs, cPrev, dh, dc, da []float32, B, H int) {
	for b := 0; b < B; b++ {
		r := b * H
		ar := [5][]float32{act.i[r : r+H], act.f[r : r+H], act.g[r : r+H], act.o[r : r+H], act.tc[r : r+H]}
		f32.CellBackward(&ar, cPrev[r:r+H], dh[r:r+H], dc[r:r+H], da[b*4*H:(b+1)*4*H], H)
	}
}
