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
// direction's blocks of a caller's arrays).
func lstmToONNXInto(W, R, B, wih, whh, bih, bhh []float32, H, I int) {
	for k := 0; k < 4; k++ {
		o := onnxGateOfTorch[k]
		copy(W[o*H*I:(o+1)*H*I], wih[k*H*I:(k+1)*H*I])
		copy(R[o*H*H:(o+1)*H*H], whh[k*H*H:(k+1)*H*H])
		copy(B[o*H:(o+1)*H], bih[k*H:(k+1)*H])
		copy(B[4*H+o*H:4*H+(o+1)*H], bhh[k*H:(k+1)*H])
	}
}
