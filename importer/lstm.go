package importer

import (
	"fmt"

	"github.com/musicvae-go/mvae/graphs"
	"github.com/musicvae-go/mvae/model"
)

// storeLSTM converts direction dir of an ONNX LSTM's W, R, B (layout in
// graphs.LSTMFromONNX) and stores it under PyTorch's names.
func storeLSTM(w model.Weights, prefix string, layer int, l *lstmNode, dir int) {
	wih, whh, bih, bhh := graphs.LSTMFromONNX(l.W, l.R, l.B, dir, l.H, l.I)
	sfx := fmt.Sprintf("_l%d", layer)
	if dir == 1 {
		sfx += "_reverse"
	}
	H, I := l.H, l.I
	w[prefix+".weight_ih"+sfx] = &model.Tensor{Shape: []int{4 * H, I}, Data: wih}
	w[prefix+".weight_hh"+sfx] = &model.Tensor{Shape: []int{4 * H, H}, Data: whh}
	w[prefix+".bias_ih"+sfx] = &model.Tensor{Shape: []int{4 * H}, Data: bih}
	w[prefix+".bias_hh"+sfx] = &model.Tensor{Shape: []int{4 * H}, Data: bhh}
}
