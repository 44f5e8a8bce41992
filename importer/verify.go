package importer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/graphs"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/npy"
)

// GraphRunner runs an ONNX graph once (runtime.RunGraph under onnxruntime).
type GraphRunner func(onnx []byte, inputs, outputs []string, ins ...*npy.Array) ([]*npy.Array, error)

// Tolerance is the largest difference an import accepts between the graph
// it was given and the graphs it rebuilt.
const Tolerance = 1e-4

// Verification reports what an import checked.
type Verification struct {
	Reference string             `json:"reference"` // the graph the rebuilt ones were compared with
	MaxDiff   map[string]float64 `json:"max_abs_diff"`
	Batch     int                `json:"batch"`
	Runtime   string             `json:"runtime"`
}

// Forwarder is a runtime's teacher-forced forward (the native runtime's).
type Forwarder func(x, eps []float32, B int) (logits, mu, sigma []float32, err error)

// Graphs gives the serialized graph of a name (graphs.Names): one built
// when asked for (BuiltGraphs) or one of a map (GraphMap).
type Graphs func(name string) ([]byte, error)

// BuiltGraphs builds each graph from the weights when it is asked for, so
// that a caller holds one graph at a time, not all of them.
func BuiltGraphs(c *model.Config, w model.Weights) Graphs {
	return func(name string) ([]byte, error) { return graphs.Build(c, w, name) }
}

// GraphMap gives the graphs of a map (graphs.BuildAll's).
func GraphMap(gs map[string][]byte) Graphs {
	return func(name string) ([]byte, error) {
		g, ok := gs[name]
		if !ok {
			return nil, fmt.Errorf("no graph %s", name)
		}
		return g, nil
	}
}

// VerifiedGraphs are the graphs Verify asks its Graphs for.
var VerifiedGraphs = []string{graphs.Full, graphs.Encoder, graphs.Conductor, graphs.DecoderInit, graphs.DecoderStep}

// Verify runs the reference graph (the ONNX imported, or for a .pt the
// rebuilt full graph) and the rebuilt generation graphs on the same random
// input, and fails beyond Tolerance. If native is not nil, the native
// runtime's forward is held to the same reference; it is called first,
// before gs and run, and once.
func Verify(r *Result, gs Graphs, run GraphRunner, seed uint64, native Forwarder) (*Verification, error) {
	c := r.Config
	B := 3
	rng := rand.New(rand.NewPCG(seed, 1))
	x := &npy.Array{Shape: []int{B, c.T(), c.InputSize}, Data: generate.RandomWindows(c, B, rng)}
	eps := npy.New(B, c.ZSize)
	for i := range eps.Data {
		eps.Data[i] = float32(rng.NormFloat64())
	}
	v := &Verification{MaxDiff: map[string]float64{}, Batch: B, Runtime: "onnxruntime"}
	// The native runtime runs first, before any graph: a caller can then
	// free the native model (a packed copy of the weights) before
	// onnxruntime loads the graphs, so that the two never add up.
	var nlogits, nmu, nsigma []float32
	if native != nil {
		var err error
		if nlogits, nmu, nsigma, err = native(x.Data, eps.Data, B); err != nil {
			return nil, fmt.Errorf("running the native runtime: %v", err)
		}
	}
	ref := r.ONNX
	v.Reference = "the imported ONNX graph"
	if ref == nil && r.ONNXFile != "" {
		// The caller did not give the graph (graphs.ExternalizeFile):
		// read it whole.
		b, err := os.ReadFile(r.ONNXFile)
		if err != nil {
			return nil, err
		}
		ref = b
	}
	if ref == nil {
		full, err := gs(graphs.Full)
		if err != nil {
			return nil, err
		}
		ref = full
		v.Reference = "the full graph rebuilt from the state_dict"
	}
	want, err := run(ref, []string{"x", "eps"}, []string{"logits", "mu", "sigma"}, x, eps)
	if err != nil {
		return nil, fmt.Errorf("running %s: %v", v.Reference, err)
	}
	if r.ONNX != nil || r.ONNXFile != "" {
		full, err := gs(graphs.Full)
		if err != nil {
			return nil, err
		}
		got, err := run(full, []string{"x", "eps"}, []string{"logits", "mu", "sigma"}, x, eps)
		if err != nil {
			return nil, fmt.Errorf("running the rebuilt full graph: %v", err)
		}
		v.MaxDiff["full.logits"] = generate.MaxAbsDiff(got[0].Data, want[0].Data)
		v.MaxDiff["full.mu"] = generate.MaxAbsDiff(got[1].Data, want[1].Data)
		v.MaxDiff["full.sigma"] = generate.MaxAbsDiff(got[2].Data, want[2].Data)
	}
	enc, err := gs(graphs.Encoder)
	if err != nil {
		return nil, err
	}
	ms, err := run(enc, []string{"x"}, []string{"mu", "sigma"}, x)
	if err != nil {
		return nil, fmt.Errorf("running the encoder graph: %v", err)
	}
	v.MaxDiff["encoder.mu"] = generate.MaxAbsDiff(ms[0].Data, want[1].Data)
	v.MaxDiff["encoder.sigma"] = generate.MaxAbsDiff(ms[1].Data, want[2].Data)
	// The decoder, stepped with teacher forcing from z = mu + sigma * eps.
	z := npy.New(B, c.ZSize)
	for i := range z.Data {
		z.Data[i] = want[1].Data[i] + want[2].Data[i]*eps.Data[i]
	}
	cg, err := gs(graphs.Conductor)
	if err != nil {
		return nil, err
	}
	cond, err := run(cg, []string{"z"}, []string{"cond"}, z)
	if err != nil {
		return nil, fmt.Errorf("running the conductor graph: %v", err)
	}
	dinit, err := gs(graphs.DecoderInit)
	if err != nil {
		return nil, err
	}
	dstep, err := gs(graphs.DecoderStep)
	if err != nil {
		return nil, err
	}
	T, D, U, S, Hc := c.T(), c.InputSize, c.Segments, c.S(), c.Conductor.Hidden
	worst := 0.0
	for u := 0; u < U; u++ {
		cu := npy.New(B, Hc)
		for b := 0; b < B; b++ {
			copy(cu.Data[b*Hc:(b+1)*Hc], cond[0].Data[(b*U+u)*Hc:(b*U+u+1)*Hc])
		}
		st, err := run(dinit, []string{"c"}, []string{"h", "c0"}, cu)
		if err != nil {
			return nil, fmt.Errorf("running the decoder-init graph: %v", err)
		}
		h, cc := st[0], st[1]
		for s := 0; s < S; s++ {
			t := u*S + s
			prev := npy.New(B, D)
			if t > 0 {
				for b := 0; b < B; b++ {
					copy(prev.Data[b*D:(b+1)*D], x.Data[(b*T+t-1)*D:(b*T+t)*D])
				}
			}
			o, err := run(dstep, []string{"prev", "cu", "h", "c"}, []string{"logits", "h_out", "c_out"}, prev, cu, h, cc)
			if err != nil {
				return nil, fmt.Errorf("running the decoder-step graph: %v", err)
			}
			h, cc = o[1], o[2]
			for b := 0; b < B; b++ {
				worst = math.Max(worst, generate.MaxAbsDiff(o[0].Data[b*D:(b+1)*D], want[0].Data[(b*T+t)*D:(b*T+t+1)*D]))
			}
		}
	}
	v.MaxDiff["decoder_step.logits"] = worst
	if native != nil {
		v.MaxDiff["native.logits"] = generate.MaxAbsDiff(nlogits, want[0].Data)
		v.MaxDiff["native.mu"] = generate.MaxAbsDiff(nmu, want[1].Data)
		v.MaxDiff["native.sigma"] = generate.MaxAbsDiff(nsigma, want[2].Data)
	}
	for k, d := range v.MaxDiff {
		if !(d <= Tolerance) {
			return v, fmt.Errorf("the rebuilt graphs disagree with %s: %s differs by %g (tolerance %g); the graph may not follow the spec (a different number of segments? say how many)", v.Reference, k, d, Tolerance)
		}
	}
	return v, nil
}
