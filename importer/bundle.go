package importer

import (
	"fmt"
	"time"

	"github.com/musicvae-go/mvae/graphs"
	"github.com/musicvae-go/mvae/model"
)

// NewBundle assembles a bundle from a config and its weights: it builds the
// ONNX graphs the runtimes need from the weights and stamps the provenance
// with the time of creation (when it has none). Every bundle mvae makes
// (import, import in memory, fine-tuning) is assembled here.
func NewBundle(c *model.Config, w model.Weights, p model.Provenance) (*model.Bundle, error) {
	gs, err := graphs.BuildAll(c, w)
	if err != nil {
		return nil, fmt.Errorf("building graphs: %v", err)
	}
	if p.Created == "" {
		p.Created = time.Now().UTC().Format(time.RFC3339)
	}
	return &model.Bundle{Manifest: model.Manifest{Config: c, Provenance: p}, Weights: w, Graphs: gs}, nil
}

// Bundle assembles the bundle of an imported model (see NewBundle). Errors
// name the file imported.
func (r *Result) Bundle() (*model.Bundle, error) {
	b, err := NewBundle(r.Config, r.Weights, r.Provenance)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", r.Provenance.Source, err)
	}
	return b, nil
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
