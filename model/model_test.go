package model

import (
	"bytes"
	"math"
	"slices"
	"strings"
	"testing"
)

func testConfig() *Config {
	return &Config{Format: ConfigFormat, Representation: "groove", DrumMap: "gm", StepsPerQuarter: 4,
		Bars: 2, Segments: 2, InputSize: 27, ZSize: 8,
		Encoder: LSTMSize{6, 2}, Conductor: LSTMSize{5, 1}, Decoder: LSTMSize{7, 2}, FreeBits: 48, MaxBeta: 0.2}
}

func randomWeights(c *Config) Weights {
	w := Weights{}
	x := uint32(1)
	for _, p := range c.Params() {
		n := 1
		for _, d := range p.Shape {
			n *= d
		}
		t := &Tensor{Shape: p.Shape, Data: make([]float32, n)}
		for i := range t.Data {
			x = x*1664525 + 1013904223
			t.Data[i] = float32(int32(x>>8)%2000-1000) / 1000
		}
		w[p.Name] = t
	}
	return w
}

func TestFloat16(t *testing.T) {
	for h := 0; h < 1<<16; h++ {
		f := Float32FromHalf(uint16(h))
		if math.IsNaN(float64(f)) {
			continue
		}
		if back := Float16(f); back != uint16(h) {
			t.Fatalf("half %#04x -> %v -> %#04x", h, f, back)
		}
	}
	for _, c := range []struct {
		f float32
		h uint16
	}{{1, 0x3c00}, {-2, 0xc000}, {65504, 0x7bff}, {1e6, 0x7c00}, {5.960464477539063e-08, 0x0001}, {1.0009765625, 0x3c01}, {1.00048828125, 0x3c00}, {1.00146484375, 0x3c02}} {
		if got := Float16(c.f); got != c.h {
			t.Errorf("Float16(%v) = %#04x, want %#04x", c.f, got, c.h)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	c := testConfig()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	c.Segments = 3
	c.InputSize = 90
	err := c.Validate()
	if err == nil || !strings.Contains(err.Error(), "segments 3") || !strings.Contains(err.Error(), "input_size 90") {
		t.Fatalf("got %v", err)
	}
	if _, err := ParseConfig([]byte(`{"format": "mvae/1", "representation": "groove", "bars": 4`)); err == nil {
		t.Fatal("truncated JSON accepted")
	}
}

func TestParamTable(t *testing.T) {
	c := testConfig()
	ps := c.Params()
	want := map[string][]int{
		"encoder.lstm.weight_ih_l0":         {24, 27},
		"encoder.lstm.weight_ih_l1_reverse": {24, 12},
		"encoder.mu.weight":                 {8, 12},
		"conductor.init.weight":             {10, 8},
		"conductor.lstm.weight_ih_l0":       {20, 1},
		"decoder.init.weight":               {28, 5},
		"decoder.lstm.weight_ih_l0":         {28, 32},
		"decoder.lstm.weight_ih_l1":         {28, 7},
		"decoder.out.bias":                  {27},
	}
	found := 0
	for _, p := range ps {
		if s, ok := want[p.Name]; ok {
			found++
			if !slices.Equal(s, p.Shape) {
				t.Errorf("%s: %v, want %v", p.Name, p.Shape, s)
			}
		}
	}
	if found != len(want) || len(ps) != 16+4+2+4+2+8+2 {
		t.Errorf("%d params, found %d of the expected", len(ps), found)
	}
}

func TestWeightsCheckListsProblems(t *testing.T) {
	c := testConfig()
	w := randomWeights(c)
	delete(w, "decoder.out.bias")
	w["encoder.mu.weight"] = &Tensor{Shape: []int{8, 11}, Data: make([]float32, 88)}
	w["extra.thing"] = &Tensor{Shape: []int{1}, Data: []float32{0}}
	err := w.Check(c)
	if err == nil {
		t.Fatal("no error")
	}
	for _, s := range []string{"missing: decoder.out.bias", "encoder.mu.weight is [8 11], want [8 12]", "unexpected: extra.thing"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q lacks %q", err, s)
		}
	}
}

func TestBundleRoundTrip(t *testing.T) {
	c := testConfig()
	w := randomWeights(c)
	for _, half := range []bool{false, true} {
		b := NewBundle(Manifest{Config: c, Provenance: Provenance{Source: "x.onnx", SourceKind: "onnx"}},
			w, map[string][]byte{"encoder": []byte("onnx bytes")})
		var buf bytes.Buffer
		if err := WriteBundle(&buf, b, half); err != nil {
			t.Fatal(err)
		}
		r, err := ReadBundle(buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		g, err := r.ReadGraph("encoder", 100)
		if err != nil {
			t.Fatal(err)
		}
		if string(g) != "onnx bytes" || r.Manifest.Provenance.Source != "x.onnx" {
			t.Error("manifest or graphs lost")
		}
		rw, err := r.Weights()
		if err != nil {
			t.Fatal(err)
		}
		for name, t0 := range w {
			for i, v := range t0.Data {
				got := rw[name].Data[i]
				want := v
				if half {
					want = Float32FromHalf(Float16(v))
				}
				if got != want {
					t.Fatalf("half=%v %s[%d] = %v, want %v", half, name, i, got, want)
				}
			}
		}
		// Truncated bundles are errors, not panics.
		for _, n := range []int{0, 10, buf.Len() / 2, buf.Len() - 1} {
			r, err := ReadBundle(buf.Bytes()[:n])
			if err == nil {
				_, err = r.Weights()
			}
			if err == nil {
				t.Errorf("truncated to %d bytes: no error", n)
			}
		}
	}
}

func TestSafetensorsRejects(t *testing.T) {
	c := testConfig()
	w := randomWeights(c)
	var buf bytes.Buffer
	WriteSafetensors(&buf, w.Names(c), w, nil, false)
	data := buf.Bytes()
	bad := append([]byte{}, data...)
	bad[0] = 0xff
	bad[5] = 0x7f
	if _, _, err := ReadSafetensors(bad); err == nil {
		t.Error("huge header length accepted")
	}
	if _, _, err := ReadSafetensors(data[:len(data)-3]); err == nil {
		t.Error("truncated data accepted")
	}
	// Non-finite weights are refused, naming the tensor.
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		w["decoder.out.bias"].Data[1] = float32(v)
		for _, half := range []bool{false, true} {
			var buf bytes.Buffer
			WriteSafetensors(&buf, w.Names(c), w, nil, half)
			if _, _, err := ReadSafetensors(buf.Bytes()); err == nil || !strings.Contains(err.Error(), "decoder.out.bias") {
				t.Errorf("%v (half %v): %v", v, half, err)
			}
		}
		if err := w.Check(c); err == nil || !strings.Contains(err.Error(), "decoder.out.bias") {
			t.Errorf("Check of %v: %v", v, err)
		}
	}
}
