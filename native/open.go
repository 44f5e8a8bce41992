package native

import "github.com/musicvae-go/mvae/model"

// Open builds the model of a bundle: a float32 bundle's weights as New
// takes them; a bundle stored below float32 (bfloat16, float16, int8) keeps
// its matrices so in memory (NewStored), for inference, without a second
// copy of them.
func Open(b *model.Bundle) (*Model, error) {
	if p := b.Precision(); p != model.F32 {
		// A private copy, read from the file (not the bundle's cache), which
		// the model packs in place: memory holds the stored weights once.
		sw, err := b.StoredCopy()
		if err != nil {
			return nil, err
		}
		if err := b.Config().Validate(); err != nil {
			return nil, err
		}
		return build(b.Config(), sw)
	}
	w, err := b.Weights()
	if err != nil {
		return nil, err
	}
	return New(b.Config(), w)
}
