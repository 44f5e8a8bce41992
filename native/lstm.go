package native

import "fmt"

// LSTM is one direction of one layer of PyTorch's nn.LSTM, in its gate order
// (i, f, g, o): WIH [4H, I], WHH [4H, H], and the two biases summed.
type LSTM struct {
	H, I int
	WIH  []float32
	WHH  []float32
	Bias []float32 // bias_ih + bias_hh, [4H]
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
	return &LSTM{H: H, I: I, WIH: wih, WHH: whh, Bias: b}
}

// Step advances B sequences by one step, in place:
//
//	gates = x W_ih^T + h W_hh^T + b_ih + b_hh     [B, 4H], blocks i, f, g, o
//	i = sigmoid(gates_i)
//	f = sigmoid(gates_f)
//	g = tanh(gates_g)
//	o = sigmoid(gates_o)
//	c' = f * c + i * g
//	h' = o * tanh(c')
//
// x is [B, I]; h and c are [B, H]; gates is scratch of [B, 4H].
func (l *LSTM) Step(x, h, c, gates []float32, B int) {
	H := l.H
	for b := 0; b < B; b++ {
		copy(gates[b*4*H:(b+1)*4*H], l.Bias)
	}
	LinearAcc(gates[:B*4*H], x[:B*l.I], l.WIH, B, l.I, 4*H)
	l.stepFromGates(h, c, gates, B)
}
