package importer

import (
	"fmt"

	"github.com/musicvae-go/mvae/model"
)

// The one place that maps between ONNX's LSTM layout and PyTorch's.
//
// ONNX LSTM: W [dirs, 4H, I] and R [dirs, 4H, H] stack the gates i, o, f, c;
// B [dirs, 8H] is Wb (4H) then Rb (4H) in the same order.
// PyTorch nn.LSTM: weight_ih [4H, I], weight_hh [4H, H], bias_ih, bias_hh
// [4H] stack the gates i, f, g, o (g is ONNX's c).

// onnxGateOfTorch[k] is the ONNX block that holds PyTorch's gate block k.
var onnxGateOfTorch = [4]int{0, 2, 3, 1}

// torchLSTM holds one direction of one layer in PyTorch's layout.
type torchLSTM struct {
	WeightIH, WeightHH, BiasIH, BiasHH *model.Tensor
}

// lstmFromONNX converts direction dir of ONNX W, R, B (B may be nil: zero bias).
func lstmFromONNX(W, R, B []float32, dir, H, I int) torchLSTM {
	reorder := func(src []float32, rows, cols, base int) []float32 {
		out := make([]float32, 4*H*cols)
		for k := 0; k < 4; k++ {
			o := onnxGateOfTorch[k]
			copy(out[k*H*cols:(k+1)*H*cols], src[base+o*H*cols:base+(o+1)*H*cols])
		}
		return out
	}
	t := torchLSTM{
		WeightIH: &model.Tensor{Shape: []int{4 * H, I}, Data: reorder(W, 4*H, I, dir*4*H*I)},
		WeightHH: &model.Tensor{Shape: []int{4 * H, H}, Data: reorder(R, 4*H, H, dir*4*H*H)},
		BiasIH:   &model.Tensor{Shape: []int{4 * H}, Data: make([]float32, 4*H)},
		BiasHH:   &model.Tensor{Shape: []int{4 * H}, Data: make([]float32, 4*H)},
	}
	if B != nil {
		t.BiasIH.Data = reorder(B, 4*H, 1, dir*8*H)
		t.BiasHH.Data = reorder(B, 4*H, 1, dir*8*H+4*H)
	}
	return t
}

// LSTMToONNX converts PyTorch LSTM weights (one direction) to ONNX's W, R, B
// blocks for that direction: the inverse of lstmFromONNX, used by graphs.
func LSTMToONNX(wih, whh, bih, bhh []float32, H, I int) (W, R, B []float32) {
	W = make([]float32, 4*H*I)
	R = make([]float32, 4*H*H)
	B = make([]float32, 8*H)
	for k := 0; k < 4; k++ {
		o := onnxGateOfTorch[k]
		copy(W[o*H*I:(o+1)*H*I], wih[k*H*I:(k+1)*H*I])
		copy(R[o*H*H:(o+1)*H*H], whh[k*H*H:(k+1)*H*H])
		copy(B[o*H:(o+1)*H], bih[k*H:(k+1)*H])
		copy(B[4*H+o*H:4*H+(o+1)*H], bhh[k*H:(k+1)*H])
	}
	return W, R, B
}

func (t torchLSTM) store(w model.Weights, prefix string, layer int, reverse bool) {
	sfx := fmt.Sprintf("_l%d", layer)
	if reverse {
		sfx += "_reverse"
	}
	w[prefix+".weight_ih"+sfx] = t.WeightIH
	w[prefix+".weight_hh"+sfx] = t.WeightHH
	w[prefix+".bias_ih"+sfx] = t.BiasIH
	w[prefix+".bias_hh"+sfx] = t.BiasHH
}
