package native

import "github.com/musicvae-go/mvae/model"

// Open builds the model of a bundle for inference, with its weights held
// once: a private copy of them, read from the file (not the bundle's cache)
// in the precision the bundle stores them in, which the model packs in
// place (bfloat16, float16 and int8 matrices stay so; see NewStored). Such
// a model runs every forward pass but does not train: New builds one that
// does.
func Open(b *model.Bundle) (*Model, error) {
	c := b.Config()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	sw, err := b.StoredCopy()
	if err != nil {
		return nil, err
	}
	if err := sw.Check(c, b.Precision()); err != nil {
		return nil, err
	}
	return build(c, sw, true, nil)
}
