package graphs

// The one place that maps between ONNX's LSTM layout and PyTorch's.
//
// ONNX LSTM: W [dirs, 4H, I] and R [dirs, 4H, H] stack the gates i, o, f, c;
// B [dirs, 8H] is Wb (4H) then Rb (4H) in the same order.
// PyTorch nn.LSTM: weight_ih [4H, I], weight_hh [4H, H], bias_ih, bias_hh
// [4H] stack the gates i, f, g, o (g is ONNX's c).

// onnxGateOfTorch[k] is the ONNX block that holds PyTorch's gate block k.
var onnxGateOfTorch = [4]int{0, 2, 3, 1}

// LSTMFromONNX converts direction dir of ONNX W, R, B (B may be nil: zero
// bias) to PyTorch's weight_ih [4H, I], weight_hh [4H, H], bias_ih, bias_hh.
func LSTMFromONNX(W, R, B []float32, dir, H, I int) (wih, whh, bih, bhh []float32) {
	reorder := func(src []float32, cols, base int) []float32 {
		out := make([]float32, 4*H*cols)
		for k := 0; k < 4; k++ {
			o := onnxGateOfTorch[k]
			copy(out[k*H*cols:(k+1)*H*cols], src[base+o*H*cols:base+(o+1)*H*cols])
		}
		return out
	}
	wih = reorder(W, I, dir*4*H*I)
	whh = reorder(R, H, dir*4*H*H)
	bih, bhh = make([]float32, 4*H), make([]float32, 4*H)
	if B != nil {
		bih = reorder(B, 1, dir*8*H)
		bhh = reorder(B, 1, dir*8*H+4*H)
	}
	return
}

// LSTMToONNX converts one direction of PyTorch LSTM weights to ONNX's W, R
// and B blocks for that direction: the inverse of LSTMFromONNX.
func LSTMToONNX(wih, whh, bih, bhh []float32, H, I int) (W, R, B []float32) {
	W, R, B = make([]float32, 4*H*I), make([]float32, 4*H*H), make([]float32, 8*H)
	lstmToONNXInto(W, R, B, wih, whh, bih, bhh, H, I)
	return W, R, B
}

// lstmToONNXInto is LSTMToONNX into W [4H*I], R [4H*H] and B [8H] (a
// direction's blocks of a caller's arrays): lstmONNXBlocks copied.
func lstmToONNXInto(W, R, B, wih, whh, bih, bhh []float32, H, I int) {
	Wb, Rb, Bb := lstmONNXBlocks(wih, whh, bih, bhh, H, I)
	copyBlocks(W, Wb)
	copyBlocks(R, Rb)
	copyBlocks(B, Bb)
}

// copyBlocks copies blocks one after the other into dst.
func copyBlocks(dst []float32, blocks [][]float32) {
	for _, blk := range blocks {
		dst = dst[copy(dst, blk):]
	}
}

// lstmONNXBlocks lists one direction's ONNX W, R and B as the blocks of
// PyTorch's weight_ih, weight_hh, bias_ih and bias_hh that they hold, in
// ONNX's order (views, nothing copied): block o of W is PyTorch's gate
// block k where onnxGateOfTorch[k] = o, and B is bias_ih's blocks, then
// bias_hh's.
func lstmONNXBlocks(wih, whh, bih, bhh []float32, H, I int) (W, R, B [][]float32) {
	W, R, B = make([][]float32, 4), make([][]float32, 4), make([][]float32, 8)
	for k := 0; k < 4; k++ {
		o := onnxGateOfTorch[k]
		W[o] = wih[k*H*I : (k+1)*H*I]
		R[o] = whh[k*H*H : (k+1)*H*H]
		B[o] = bih[k*H : (k+1)*H]
		B[4+o] = bhh[k*H : (k+1)*H]
	}
	return W, R, B
}
