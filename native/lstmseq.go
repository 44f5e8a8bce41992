package native

// lstmStep holds what the backward pass needs of one LSTM step, [B, ·] each.
type lstmStep struct {
	x, hPrev, cPrev, c, h []float32
	*cellActs
}

// forwardSeq runs the cell over xs (one [B, I] slice a step) from h0, c0
// ([B, H], not modified) and keeps every step for backwardSeq.
func (l *LSTM) forwardSeq(xs [][]float32, h0, c0 []float32, B int) []*lstmStep {
	H := l.H
	steps := make([]*lstmStep, len(xs))
	hPrev, cPrev := h0, c0
	gates := make([]float32, B*4*H)
	for t, x := range xs {
		s := &lstmStep{x: x, hPrev: hPrev, cPrev: cPrev, c: make([]float32, B*H), h: make([]float32, B*H), cellActs: newCellActs(B * H)}
		l.step(x, hPrev, cPrev, s.h, s.c, gates, B, s.cellActs)
		steps[t] = s
		hPrev, cPrev = s.h, s.c
	}
	return steps
}

// lstmGrad accumulates the gradients of one LSTM's four tensors.
type lstmGrad struct {
	WIH, WHH, BIH, BHH []float32
}

// backwardSeq backpropagates through the steps of forwardSeq. dhs[t] is the
// loss gradient of step t's output h (nil for none); dhN and dcN those of the
// final state (nil for none). It accumulates into gr, and returns the
// gradients of each step's input x (when wantDx) and of h0 and c0:
//
//	dh = dh_t + dh_next
//	(da, dc_prev) = cellBackward(dh, dc_next)
//	dW_ih += da^T x;  dW_hh += da^T h_prev;  db_ih = db_hh += sum_b da
//	dx = da W_ih;  dh_prev = da W_hh
func (l *LSTM) backwardSeq(steps []*lstmStep, dhs [][]float32, dhN, dcN []float32, B int, gr *lstmGrad, wantDx bool) (dxs [][]float32, dh0, dc0 []float32) {
	H, I, T := l.H, l.I, len(steps)
	G := 4 * H
	dh := make([]float32, B*H)
	dc := make([]float32, B*H)
	if dhN != nil {
		copy(dh, dhN)
	}
	if dcN != nil {
		copy(dc, dcN)
	}
	// Every step's da, kept for the weight gradients: row t*B+b of [T*B, 4H].
	daAll := make([]float32, T*B*G)
	// The recurrences run on transposed weights, so that dx and dh_prev are
	// dot products of contiguous rows: dx[b, k] = dot(da[b, :], W_ih^T[k, :]).
	wihT := make([]float32, I*G)
	whhT := make([]float32, H*G)
	transpose(wihT, l.WIH, G, I)
	transpose(whhT, l.WHH, G, H)
	if wantDx {
		dxs = make([][]float32, T)
	}
	for t := T - 1; t >= 0; t-- {
		s := steps[t]
		da := daAll[t*B*G : (t+1)*B*G]
		if dhs != nil && dhs[t] != nil {
			for j := range dh {
				dh[j] += dhs[t][j]
			}
		}
		cellBackward(s.cellActs, s.cPrev, dh, dc, da, B, H)
		if wantDx {
			dx := make([]float32, B*I)
			Linear(dx, da, wihT, nil, B, G, I)
			dxs[t] = dx
		}
		// dh_prev = da W_hh
		Linear(dh, da, whhT, nil, B, G, H)
	}
	// Weight gradients over all steps at once, as dot products of length T*B:
	// dW_ih[r, k] += sum_s da[s, r] x[s, k], s = (t, b).
	S := T * B
	daT := make([]float32, G*S)
	transpose(daT, daAll, S, G)
	xT := make([]float32, I*S)
	hT := make([]float32, H*S)
	for t, st := range steps {
		for b := 0; b < B; b++ {
			col := t*B + b
			for k := 0; k < I; k++ {
				xT[k*S+col] = st.x[b*I+k]
			}
			for k := 0; k < H; k++ {
				hT[k*S+col] = st.hPrev[b*H+k]
			}
		}
	}
	gemmNTAcc(gr.WIH, daT, xT, G, I, S)
	gemmNTAcc(gr.WHH, daT, hT, G, H, S)
	for r := 0; r < G; r++ {
		sum := float32(0)
		for _, v := range daT[r*S : (r+1)*S] {
			sum += v
		}
		gr.BIH[r] += sum
		gr.BHH[r] += sum
	}
	return dxs, dh, dc
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

// gemmNTAcc adds A B^T to C: C [m, n] += A [m, k] B [n, k]^T, every entry a
// dot product of two contiguous rows. Reference loop:
//
//	for i < m, j < n: for p < k: C[i*n+j] += A[i*k+p] * B[j*k+p]
func gemmNTAcc(C, A, B []float32, m, n, k int) {
	// Chunks of 512 along k keep a block of B's rows in cache while A's rows
	// stream by.
	const chunk = 512
	var s [4]float32
	for p0 := 0; p0 < k; p0 += chunk {
		p1 := min(p0+chunk, k)
		j := 0
		if useAVX2 && p1-p0 >= 8 {
			L := p1 - p0
			b4 := make([]float32, 4*L)
			for ; j+4 <= n; j += 4 {
				// dot4AVX2 wants the four rows' chunks back to back.
				for q := 0; q < 4; q++ {
					copy(b4[q*L:(q+1)*L], B[(j+q)*k+p0:(j+q)*k+p1])
				}
				for i := 0; i < m; i++ {
					a := A[i*k+p0 : i*k+p1]
					dot4AVX2(a, b4, &s)
					c := C[i*n+j : i*n+j+4]
					c[0] += s[0]
					c[1] += s[1]
					c[2] += s[2]
					c[3] += s[3]
				}
			}
		}
		for ; j < n; j++ {
			bj := B[j*k+p0 : j*k+p1]
			for i := 0; i < m; i++ {
				C[i*n+j] += Dot(A[i*k+p0:i*k+p1], bj)
			}
		}
	}
}

// axpy is y += a x. Reference loop: for k := range x { y[k] += a * x[k] }.
func axpy(y []float32, a float32, x []float32) {
	y = y[:len(x)]
	if useAVX2 && len(x) >= 16 {
		axpyAVX2(y, a, x)
		return
	}
	for k, v := range x {
		y[k] += a * v
	}
}

// matTMul sets out [B, n] = d [B, m] W, for W [m, n] (the transpose of Linear):
//
//	for b, r: for k: out[b, k] += d[b, r] * W[r, k]
func matTMul(out, d, W []float32, B, m, n int) {
	clear(out[:B*n])
	for b := 0; b < B; b++ {
		ob := out[b*n : (b+1)*n]
		db := d[b*m : (b+1)*m]
		for r, v := range db {
			if v != 0 {
				axpy(ob, v, W[r*n:(r+1)*n])
			}
		}
	}
}

// linearBackward accumulates the gradients of out = x W^T + b given dout
// [B, nOut]: dW += dout^T x, db += sum_b dout; returns dx = dout W ([B, nIn])
// when wantDx.
func linearBackward(dout, x, W []float32, B, nIn, nOut int, dW, db []float32, wantDx bool) []float32 {
	for b := 0; b < B; b++ {
		xb := x[b*nIn : (b+1)*nIn]
		for r := 0; r < nOut; r++ {
			v := dout[b*nOut+r]
			if v == 0 {
				continue
			}
			axpy(dW[r*nIn:(r+1)*nIn], v, xb)
			db[r] += v
		}
	}
	if !wantDx {
		return nil
	}
	dx := make([]float32, B*nIn)
	matTMul(dx, dout, W, B, nOut, nIn)
	return dx
}
