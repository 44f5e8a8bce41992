package importer

import (
	"fmt"
	"time"

	"github.com/musicvae-go/mvae/graphs"
	"github.com/musicvae-go/mvae/model"
)

// NewBundle assembles a bundle from a config and its weights, stamping the
// provenance with the time of creation (when it has none). Every bundle mvae
// makes (import, import in memory, fine-tuning) is assembled here.
//
// With store, the ONNX graphs built from the weights (graphs.BuildAll) are
// kept in the bundle as its record (onnxruntime users can read them; mvae's
// ort runtime rebuilds them from the weights and checks the record on load)
// and returned, e.g. to verify them; without, the bundle holds no graph.
func NewBundle(c *model.Config, w model.Weights, p model.Provenance, store bool) (*model.Bundle, map[string][]byte, error) {
	var gs map[string][]byte
	if store {
		var err error
		if gs, err = graphs.BuildAll(c, w); err != nil {
			return nil, nil, fmt.Errorf("building graphs: %v", err)
		}
	}
	if p.Created == "" {
		p.Created = time.Now().UTC().Format(time.RFC3339)
	}
	return model.NewBundle(model.Manifest{Config: c, Provenance: p}, w, gs), gs, nil
}

// Bundle assembles the bundle of an imported model (see NewBundle). Errors
// name the file imported.
func (r *Result) Bundle(store bool) (*model.Bundle, map[string][]byte, error) {
	b, gs, err := NewBundle(r.Config, r.Weights, r.Provenance, store)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %v", r.Provenance.Source, err)
	}
	return b, gs, nil
}

// Worst is the largest difference the verification found.
func (v *Verification) Worst() float64 {
	worst := 0.0
	for _, d := range v.MaxDiff {
		worst = max(worst, d)
	}
	return worst
}

// Record writes the verification into the bundle's manifest.
func (v *Verification) Record(b *model.Bundle) {
	b.Manifest.Verification = map[string]any{"reference": v.Reference, "max_abs_diff": v.MaxDiff, "runtime": v.Runtime, "batch": v.Batch}
}
