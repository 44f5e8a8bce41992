package model

import "math"

// RandomWeights returns weights of config c drawn from a seeded stream:
// uniform in ±1/√in for a matrix of in columns (PyTorch's LSTM and linear
// initialisation, near enough), ±0.1 for a bias. For benchmarks and tests:
// finite, moderate values keep samplers honest.
func RandomWeights(c *Config, seed uint64) Weights {
	w := Weights{}
	for i, p := range c.Params() {
		t := NewTensorOf(p.Shape)
		a := float32(0.1)
		if len(p.Shape) == 2 {
			a = float32(1 / math.Sqrt(float64(p.Shape[1])))
		}
		s := seed*0x9E3779B97F4A7C15 + uint64(i+1)*0xBF58476D1CE4E5B9
		for k := range t.Data {
			s += 0x9E3779B97F4A7C15
			z := s
			z = (z ^ z>>30) * 0xBF58476D1CE4E5B9
			z = (z ^ z>>27) * 0x94D049BB133111EB
			z ^= z >> 31
			t.Data[k] = a * (float32(z>>40)/(1<<23) - 1) // uniform in [-a, a)
		}
		w[p.Name] = t
	}
	return w
}

// RandomBundle is an in-memory bundle of config c with RandomWeights.
func RandomBundle(c *Config, seed uint64) (*Bundle, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return NewBundle(Manifest{Format: BundleFormat, Config: c, Weights: "weights.safetensors", WeightsDType: "float32"}, RandomWeights(c, seed), nil), nil
}
