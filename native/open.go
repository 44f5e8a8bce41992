package native

import "github.com/musicvae-go/mvae/model"

// Open builds the model of a bundle: a float32 bundle's weights as New
// takes them; a bundle stored below float32 (bfloat16, float16, int8) keeps
// its matrices so in memory (NewStored), for inference.
func Open(b *model.Bundle) (*Model, error) {
	if p := b.Precision(); p != model.F32 {
		sw, err := b.Stored()
		if err != nil {
			return nil, err
		}
		return NewStored(b.Config(), sw, p)
	}
	w, err := b.Weights()
	if err != nil {
		return nil, err
	}
	return New(b.Config(), w)
}
