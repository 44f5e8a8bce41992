package native

import "github.com/musicvae-go/mvae/model"

// Open builds the model of a bundle for inference, with its weights held
// once: a private copy of them, read from the file (not the bundle's cache)
// in the precision the bundle stores them in, which the model packs in
// place (bfloat16, float16 and int8 matrices stay so; see NewStored). Such
// a model runs every forward pass but does not train: New builds one that
// does.
func Open(b *model.Bundle) (*Model, error) { return open(b, true) }

// OpenWidened is Open with bfloat16 matrices whose products widen the
// weights and keep x in float32 even where the CPU has AVX-512 BF16 (whose
// products, Open's, round x to bfloat16 too): the sums of the float32 model
// of the same weights, within float32 rounding, as onnxruntime computes
// them (mvae parity compares the two).
func OpenWidened(b *model.Bundle) (*Model, error) { return open(b, false) }

// open is Open, with pairs as newMatrixStored takes it.
func open(b *model.Bundle, pairs bool) (*Model, error) {
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
	return build(c, sw, true, pairs, nil)
}
