package model

// Quantize returns the bundle with its weights stored in precision p (see
// Store): from float32 to bfloat16, int8 or float16, or back to float32 (the
// stored values widened, for training). A bundle already stored below
// float32 is only widened: rounding it again would add the errors of two
// roundings, so quantize its float32 original instead. Graphs are dropped
// (they are rebuilt from the weights when onnxruntime needs them).
func Quantize(b *Bundle, p Precision) (*Bundle, error) {
	if from := b.Precision(); (from == BF16 || from == Int8) && p != F32 {
		return nil, b.errorf("the weights are stored as %s already: quantize the float32 bundle they came from (or widen them with --precision float32)", from)
	}
	w, err := b.Weights()
	if err != nil {
		return nil, err
	}
	if err := w.Check(b.Config()); err != nil {
		return nil, err
	}
	m := b.Manifest
	m.Graphs = nil
	if p == F32 {
		m.WeightsDType = F32
		return NewBundle(m, w, nil), nil
	}
	return NewStoredBundle(m, Store(w, p), p), nil
}
