package native

// lstmStep holds what the backward pass needs of one LSTM step, [B, ·] each.
type lstmStep struct {
	x, hPrev, cPrev  []float32
	i, f, g, o, c, h []float32
	tc               []float32 // tanh(c)
}

// forwardSeq runs the cell over xs (one [B, I] slice a step) from h0, c0
// ([B, H], not modified) and keeps every step for backwardSeq.
func (l *LSTM) forwardSeq(xs [][]float32, h0, c0 []float32, B int) []*lstmStep {
	H := l.H
	steps := make([]*lstmStep, len(xs))
	hPrev, cPrev := h0, c0
	gates := make([]float32, B*4*H)
	for t, x := range xs {
		s := &lstmStep{x: x, hPrev: hPrev, cPrev: cPrev,
			i: make([]float32, B*H), f: make([]float32, B*H), g: make([]float32, B*H), o: make([]float32, B*H),
			c: make([]float32, B*H), h: make([]float32, B*H), tc: make([]float32, B*H)}
		for b := 0; b < B; b++ {
			copy(gates[b*4*H:(b+1)*4*H], l.Bias)
		}
		LinearAcc(gates, x, l.WIH, B, l.I, 4*H)
		LinearAcc(gates, hPrev, l.WHH, B, H, 4*H)
		for b := 0; b < B; b++ {
			gb := gates[b*4*H : (b+1)*4*H]
			for k := 0; k < H; k++ {
				j := b*H + k
				s.i[j] = Sigmoid(gb[k])
				s.f[j] = Sigmoid(gb[H+k])
				s.g[j] = Tanh(gb[2*H+k])
				s.o[j] = Sigmoid(gb[3*H+k])
				s.c[j] = s.f[j]*cPrev[j] + s.i[j]*s.g[j]
				s.tc[j] = Tanh(s.c[j])
				s.h[j] = s.o[j] * s.tc[j]
			}
		}
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
// gradients of each step's input x (when wantDx) and of h0 and c0.
//
//	dh = dh_t + dh_next;  dc = dc_next + dh * o * (1 - tanh(c)^2)
//	do = dh * tanh(c);  di = dc * g;  dg = dc * i;  df = dc * c_prev;  dc_prev = dc * f
//	da_i = di * i (1 - i);  da_f = df * f (1 - f);  da_g = dg * (1 - g^2);  da_o = do * o (1 - o)
//	dW_ih += da^T x;  dW_hh += da^T h_prev;  db_ih = db_hh += sum_b da
//	dx = da W_ih;  dh_prev = da W_hh
func (l *LSTM) backwardSeq(steps []*lstmStep, dhs [][]float32, dhN, dcN []float32, B int, gr *lstmGrad, wantDx bool) (dxs [][]float32, dh0, dc0 []float32) {
	H, I := l.H, l.I
	dh := make([]float32, B*H)
	dc := make([]float32, B*H)
	if dhN != nil {
		copy(dh, dhN)
	}
	if dcN != nil {
		copy(dc, dcN)
	}
	da := make([]float32, B*4*H)
	if wantDx {
		dxs = make([][]float32, len(steps))
	}
	for t := len(steps) - 1; t >= 0; t-- {
		s := steps[t]
		if dhs != nil && dhs[t] != nil {
			for j := range dh {
				dh[j] += dhs[t][j]
			}
		}
		for b := 0; b < B; b++ {
			a := da[b*4*H : (b+1)*4*H]
			for k := 0; k < H; k++ {
				j := b*H + k
				dcj := dc[j] + dh[j]*s.o[j]*(1-s.tc[j]*s.tc[j])
				do := dh[j] * s.tc[j]
				di := dcj * s.g[j]
				dg := dcj * s.i[j]
				df := dcj * s.cPrev[j]
				dc[j] = dcj * s.f[j] // becomes dc_prev
				a[k] = di * s.i[j] * (1 - s.i[j])
				a[H+k] = df * s.f[j] * (1 - s.f[j])
				a[2*H+k] = dg * (1 - s.g[j]*s.g[j])
				a[3*H+k] = do * s.o[j] * (1 - s.o[j])
			}
		}
		// Weight gradients: dW[r, :] += sum_b da[b, r] * in[b, :].
		for b := 0; b < B; b++ {
			a := da[b*4*H : (b+1)*4*H]
			xb := s.x[b*I : (b+1)*I]
			hb := s.hPrev[b*H : (b+1)*H]
			for r, v := range a {
				if v == 0 {
					continue
				}
				axpy(gr.WIH[r*I:(r+1)*I], v, xb)
				axpy(gr.WHH[r*H:(r+1)*H], v, hb)
				gr.BIH[r] += v
				gr.BHH[r] += v
			}
		}
		if wantDx {
			dx := make([]float32, B*I)
			matTMul(dx, da, l.WIH, B, 4*H, I)
			dxs[t] = dx
		}
		// dh_prev = da W_hh
		matTMul(dh, da, l.WHH, B, 4*H, H)
	}
	return dxs, dh, dc
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
