package native

import "github.com/musicvae-go/mvae/native/internal/f32"

// lstmStep holds what the backward pass needs of one LSTM step, [B, ·] each.
type lstmStep struct {
	x, hPrev, cPrev, c, h []float32
	*cellActs
	// slab, on the first step only, holds the c and cellActs of every
	// step (cell writes them in full): backwardSeq gives it back.
	slab *[]float32
}

// seqChunk bounds the values of the input products forwardSeq runs for
// several steps at once: steps*B*4H of the gates, about 4 MiB.
const seqChunk = 1 << 20

// forwardSeq runs the cell over xs (one [B, I] slice a step) from h0, c0
// ([B, H], not modified) and keeps every step for backwardSeq. The input
// part of the gates (biases, then += x W_ih^T) does not depend on the
// recurrence: it is one product over a chunk of steps (rows t*B+b), which
// loads W_ih once per chunk, not once per step; then each step adds
// h_prev W_hh^T and applies the cell (l.recur). Every entry is the sum
// step computes, in its order: the same bits.
func (l *LSTM) forwardSeq(ws *workspace, xs [][]float32, h0, c0 []float32, B int) []*lstmStep {
	H, I, T := l.H, l.I, len(xs)
	G := 4 * H
	steps := make([]*lstmStep, T)
	// h0 and every step's h in one buffer, [T+1][B, H]: the h_prev of all
	// steps are then contiguous (backwardSeq's product reads them there),
	// and so are the inputs of the next layer.
	hs := ws.floats((T + 1) * B * H) // written in full: h0, then every step's h
	copy(hs, h0[:B*H])
	hPrev, cPrev := hs[:B*H], c0
	xAll := contiguous(xs, B*I) // nil: copied chunk by chunk into xc
	tc := max(1, min(T, seqChunk/max(1, B*G)))
	// xc and gc are written in full before they are read, and only here.
	var xc []float32
	if xAll == nil {
		xcSlab := ws.get(tc * B * I)
		defer ws.put(xcSlab)
		xc = *xcSlab
	}
	gcSlab := ws.get(tc * B * G)
	defer ws.put(gcSlab)
	gc := *gcSlab
	n6 := 6 * B * H
	slab := ws.get(T * n6)
	kept, acts := make([]lstmStep, T), make([]cellActs, T) // two allocations, not 2T
	for t0 := 0; t0 < T; t0 += tc {
		n := min(tc, T-t0)
		x := xc
		if xAll != nil {
			x = xAll[t0*B*I:]
		} else {
			for i := 0; i < n; i++ {
				copy(xc[i*B*I:(i+1)*B*I], xs[t0+i][:B*I])
			}
		}
		for r := 0; r < n*B; r++ {
			copy(gc[r*G:(r+1)*G], l.Bias)
		}
		l.wih.mulAdd(gc[:n*B*G], x[:n*B*I], n*B)
		for i := 0; i < n; i++ {
			t := t0 + i
			sl := (*slab)[t*n6 : (t+1)*n6 : (t+1)*n6]
			part := func(k int) []float32 { return sl[k*B*H : (k+1)*B*H : (k+1)*B*H] }
			acts[t] = cellActs{i: part(1), f: part(2), g: part(3), o: part(4), tc: part(5)}
			s := &kept[t]
			*s = lstmStep{x: xs[t], hPrev: hPrev, cPrev: cPrev, c: part(0), h: hs[(t+1)*B*H : (t+2)*B*H], cellActs: &acts[t]}
			l.recur(gc[i*B*G:(i+1)*B*G], hPrev, cPrev, s.h, s.c, B, s.cellActs)
			steps[t] = s
			hPrev, cPrev = s.h, s.c
		}
	}
	if T > 0 {
		steps[0].slab = slab
	}
	return steps
}

// forwardStack runs a stack of LSTM layers over a sequence, keeping every
// step for the backward pass: layer 0 reads xs, layer l the hidden states of
// layer l-1; layer l starts from h0[l], c0[l].
func forwardStack(ws *workspace, cells []*LSTM, xs [][]float32, h0, c0 [][]float32, B int) [][]*lstmStep {
	out := make([][]*lstmStep, len(cells))
	for l, cell := range cells {
		out[l] = cell.forwardSeq(ws, xs, h0[l], c0[l], B)
		xs = make([][]float32, len(xs))
		for i := range xs {
			xs[i] = out[l][i].h
		}
	}
	return out
}

// lstmGrad accumulates the gradients of one LSTM's four tensors.
type lstmGrad struct {
	WIH, WHH, BIH, BHH []float32
}

// backwardSeq backpropagates through the steps of forwardSeq. dhs[t] is the
// loss gradient of step t's output h (nil for none); dhN and dcN those of the
// final state (nil for none). It accumulates into gr, and returns the
// gradients of h0 and c0 and, when dxCols > 0, those of the last dxCols
// columns of each step's input x ([B, dxCols]; dxCols = I for all of x: a
// decoder wants only its conditioning's, not the data's):
//
//	dh = dh_t + dh_next
//	(da, dc_prev) = cellBackward(dh, dc_next)
//	dW_ih += da^T x;  dW_hh += da^T h_prev;  db_ih = db_hh += sum_b da
//	dx = da W_ih[:, I-dxCols:];  dh_prev = da W_hh
func (l *LSTM) backwardSeq(ws *workspace, steps []*lstmStep, dhs [][]float32, dhN, dcN []float32, B int, gr *lstmGrad, dxCols int) (dxs [][]float32, dh0, dc0 []float32) {
	H, I, T := l.H, l.I, len(steps)
	G := 4 * H
	dh := ws.zeros(B * H)
	dc := ws.zeros(B * H)
	if dhN != nil {
		copy(dh, dhN)
	}
	if dcN != nil {
		copy(dc, dcN)
	}
	// Every step's da, kept for the weight gradients: row t*B+b of [T*B, 4H]
	// (cellBackward writes it in full).
	daSlab := ws.get(T * B * G)
	daAll := *daSlab
	if dxCols < 0 || dxCols > I {
		panic("native: backwardSeq: dxCols out of range")
	}
	// dh_prev = da W_hh and dx = da W_ih[:, I-dxCols:], on those blocks of
	// the weights packed transposed (once per set of weights: l.whhT, l.wihT).
	whhT := l.whhT.get(l.WHH, H, G, H)
	for t := T - 1; t >= 0; t-- {
		s := steps[t]
		da := daAll[t*B*G : (t+1)*B*G]
		if dhs != nil && dhs[t] != nil {
			f32.Axpy(dh, 1, dhs[t][:len(dh)]) // dh += dhs[t]: 1 x is exact, the sums are those of +
		}
		cellBackward(s.cellActs, s.cPrev, dh, dc, da, B, H)
		clear(dh)
		whhT.mulAdd(dh, da, B)
	}
	// dx of every step at once (it is not part of the recurrence): one
	// product over the rows t*B+b of daAll, whose entries are the sums a
	// step's product gives.
	if dxCols > 0 {
		dxAll := ws.zeros(T * B * dxCols)
		l.wihT.get(l.WIH[I-dxCols:], dxCols, G, I).mulAdd(dxAll, daAll, T*B)
		dxs = make([][]float32, T)
		for t := range dxs {
			dxs[t] = dxAll[t*B*dxCols : (t+1)*B*dxCols : (t+1)*B*dxCols]
		}
	}
	if gr != nil {
		l.addGrads(ws, steps, daAll, gr, B)
	}
	ws.put(daSlab)
	// dc and dh are dc0 and dh0 now, not in the slab: the steps' c and
	// activations are no longer needed.
	if T > 0 && steps[0].slab != nil {
		ws.put(steps[0].slab)
		steps[0].slab = nil
	}
	return dxs, dh, dc
}

// addGrads adds backwardSeq's weight gradients to gr, from every step's da
// (daAll, rows t*B+b of [T*B, 4H]).
func (l *LSTM) addGrads(ws *workspace, steps []*lstmStep, daAll []float32, gr *lstmGrad, B int) {
	H, I, T := l.H, l.I, len(steps)
	G := 4 * H
	// Weight gradients over all steps at once, sums over s = (t, b):
	// dW_ih[r, k] += sum_s da[s, r] x[s, k], and dW_hh with h_prev.
	// The inputs and h_prev of all steps, [S, ·]: where forwardSeq left
	// them contiguous, as they lie.
	S := T * B
	xs := make([][]float32, T)
	hps := make([][]float32, T)
	for t, st := range steps {
		xs[t], hps[t] = st.x, st.hPrev
	}
	xAll, xCopy := flat(ws, xs, B*I)
	addGradW(ws, gr.WIH, daAll, xAll, I, G, S)
	if xCopy != nil {
		ws.put(xCopy)
	}
	hAll, hCopy := flat(ws, hps, B*H)
	addGradW(ws, gr.WHH, daAll, hAll, H, G, S)
	if hCopy != nil {
		ws.put(hCopy)
	}
	sum := ws.zeros(G) // sum_s da[s, r], s in order (Axpy by 1: the sums of +)
	for s := 0; s < S; s++ {
		f32.Axpy(sum, 1, daAll[s*G:(s+1)*G])
	}
	for r, v := range sum {
		gr.BIH[r] += v
		gr.BHH[r] += v
	}
}

// contiguous returns parts [T][n...] as one slice [T*n] where each part
// starts n values after the previous one in the same array (as forwardSeq
// leaves its h), nil otherwise.
func contiguous(parts [][]float32, n int) []float32 {
	if len(parts) == 0 || n == 0 || cap(parts[0]) < len(parts)*n {
		return nil
	}
	all := parts[0][:len(parts)*n]
	for t, p := range parts {
		if len(p) < n || &p[0] != &all[t*n] {
			return nil
		}
	}
	return all
}

// flat is contiguous(parts, n), or, where the parts are apart, a copy of
// their first n values each in a buffer of ws.get, also returned (to be
// given back with ws.put; nil when not a copy).
func flat(ws *workspace, parts [][]float32, n int) (all []float32, copied *[]float32) {
	if all := contiguous(parts, n); all != nil {
		return all, nil
	}
	copied = ws.get(len(parts) * n)
	all = *copied
	for t, p := range parts {
		copy(all[t*n:(t+1)*n], p[:n])
	}
	return all, copied
}

// transpose writes the [cols, rows] transpose of src [rows, cols] into dst.
func transpose(dst, src []float32, rows, cols int) {
	for r := 0; r < rows; r++ {
		row := src[r*cols : (r+1)*cols]
		for c, v := range row {
			dst[c*rows+r] = v
		}
	}
}

// dxAll is backwardSeq's dxCols for all of l's input when want, none
// otherwise.
func dxAll(l *LSTM, want bool) int {
	if want {
		return l.I
	}
	return 0
}
