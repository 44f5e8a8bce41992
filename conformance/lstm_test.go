package conformance

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/graphs"
	"github.com/musicvae-go/mvae/internal/testenv"
	"github.com/musicvae-go/mvae/native"
	"github.com/musicvae-go/mvae/npy"
	"github.com/musicvae-go/mvae/runtime"
)

// TestONNXLSTMSemantics holds the native LSTM to ONNX's own LSTM operator as
// onnxruntime runs it, for the cases MusicVAE uses: forward and
// bidirectional, with and without initial states, batch first-to-last, the
// gate order i, o, f, c and the concatenated biases.
func TestONNXLSTMSemantics(t *testing.T) {
	if _, err := runtime.Init(""); err != nil {
		// Skipped where onnxruntime is not built in or not installed; CI has it.
		if !runtime.Available || errors.Is(err, runtime.ErrUnavailable) {
			testenv.Missing(t, "onnxruntime ("+err.Error()+")")
		}
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(4, 4))
	vec := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64() * 0.6)
		}
		return v
	}
	for _, cs := range []struct {
		name       string
		bidir      bool
		withState  bool
		T, B, I, H int
	}{
		{"forward", false, false, 5, 3, 4, 6},
		{"forward with initial state", false, true, 7, 2, 9, 5},
		{"bidirectional", true, false, 6, 3, 5, 4},
		{"one step", false, true, 1, 4, 3, 7},
	} {
		t.Run(cs.name, func(t *testing.T) {
			dirs := 1
			dir := "forward"
			if cs.bidir {
				dirs, dir = 2, "bidirectional"
			}
			T, B, I, H := cs.T, cs.B, cs.I, cs.H
			W, R, Bs := vec(dirs*4*H*I), vec(dirs*4*H*H), vec(dirs*8*H)
			x := vec(T * B * I) // [T, B, I], ONNX's sequence-first layout
			h0, c0 := vec(dirs*B*H), vec(dirs*B*H)
			ins := []string{"X", "W", "R", "B", ""}
			inputs := []*graphs.ValueInfo{{Name: "X", ElemType: graphs.Float32, Dims: []int64{int64(T), int64(B), int64(I)}}}
			feeds := []*npy.Array{{Shape: []int{T, B, I}, Data: x}}
			names := []string{"X"}
			if cs.withState {
				ins = append(ins, "h0", "c0")
				for _, n := range []string{"h0", "c0"} {
					inputs = append(inputs, &graphs.ValueInfo{Name: n, ElemType: graphs.Float32, Dims: []int64{int64(dirs), int64(B), int64(H)}})
					names = append(names, n)
				}
				feeds = append(feeds, &npy.Array{Shape: []int{dirs, B, H}, Data: h0}, &npy.Array{Shape: []int{dirs, B, H}, Data: c0})
			}
			m := &graphs.Model{IRVersion: 8, Opset: 17, Graph: &graphs.Graph{
				Nodes: []*graphs.Node{{OpType: "LSTM", Inputs: ins, Outputs: []string{"Y", "Y_h", "Y_c"},
					Attrs: []*graphs.Attr{graphs.IntAttr("hidden_size", int64(H)), graphs.StringAttr("direction", dir)}}},
				Initializers: []*graphs.Tensor{
					{Name: "W", Dims: []int64{int64(dirs), int64(4 * H), int64(I)}, Float: W},
					{Name: "R", Dims: []int64{int64(dirs), int64(4 * H), int64(H)}, Float: R},
					{Name: "B", Dims: []int64{int64(dirs), int64(8 * H)}, Float: Bs}},
				Inputs: inputs,
				Outputs: []*graphs.ValueInfo{
					{Name: "Y", ElemType: graphs.Float32, Dims: []int64{int64(T), int64(dirs), int64(B), int64(H)}},
					{Name: "Y_c", ElemType: graphs.Float32, Dims: []int64{int64(dirs), int64(B), int64(H)}}},
			}}
			out, err := runtime.RunGraph(m.Marshal(), names, []string{"Y", "Y_c"}, feeds...)
			if err != nil {
				t.Fatal(err)
			}
			worst := 0.0
			for d := 0; d < dirs; d++ {
				wih, whh, bih, bhh := graphs.LSTMFromONNX(W, R, Bs, d, H, I)
				cell := native.NewLSTM(wih, whh, bih, bhh, H, I)
				h, c := make([]float32, B*H), make([]float32, B*H)
				if cs.withState {
					copy(h, h0[d*B*H:(d+1)*B*H])
					copy(c, c0[d*B*H:(d+1)*B*H])
				}
				gates := make([]float32, B*4*H)
				for s := 0; s < T; s++ {
					t0 := s
					if d == 1 {
						t0 = T - 1 - s
					}
					cell.Step(x[t0*B*I:(t0+1)*B*I], h, c, gates, B)
					y := out[0].Data[(t0*dirs+d)*B*H : (t0*dirs+d+1)*B*H]
					worst = max(worst, generate.MaxAbsDiff(h, y))
				}
				worst = max(worst, generate.MaxAbsDiff(c, out[1].Data[d*B*H:(d+1)*B*H]))
			}
			if worst > 1e-5 {
				t.Errorf("native LSTM differs from ONNX's LSTM by %g", worst)
			}
		})
	}
}
