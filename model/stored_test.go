package model

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// TestStoredRoundTrip writes a bundle in each precision and reads it back:
// the stored values unchanged, the float32 ones within the precision's
// rounding of the originals, the weights member smaller.
func TestStoredRoundTrip(t *testing.T) {
	c := testConfig()
	w := randomWeights(c)
	for _, p := range Precisions {
		b := NewStoredBundle(Manifest{Config: c}, Store(w, p), p)
		var buf bytes.Buffer
		if err := WriteBundle(&buf, b, false); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		r, err := ReadBundle(buf.Bytes())
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if r.Precision() != p {
			t.Fatalf("%s: read back as %s", p, r.Precision())
		}
		sw, err := r.Stored()
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		rw, err := r.Weights()
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for name, t0 := range w {
			s := sw[name]
			want := F32
			if p.stores(t0.Shape) {
				want = p
			}
			if s.DType != want {
				t.Fatalf("%s: %s stored as %s, want %s", p, name, s.DType, want)
			}
			for i, v := range t0.Data {
				got := rw[name].Data[i]
				tol := 0.0
				switch want {
				case BF16:
					tol = math.Abs(float64(v)) * 0x1p-8
				case F16:
					tol = math.Abs(float64(v))*0x1p-11 + 0x1p-25
				case Int8:
					tol = float64(s.Scale[i/t0.Shape[1]])/2 + 1e-7
				}
				if math.Abs(float64(got-v)) > tol {
					t.Fatalf("%s: %s[%d] = %v, want %v within %g", p, name, i, got, v, tol)
				}
			}
		}
		if p != F32 && sw.Bytes() >= Store(w, F32).Bytes()*3/4 {
			t.Errorf("%s: stored weights take %d bytes, float32 %d", p, sw.Bytes(), Store(w, F32).Bytes())
		}
	}
}

// int8Safetensors is a safetensors file of the int8 weights of testConfig,
// with its header edited by edit (given the entries by name) and the value
// at byte offset at of the data (if at >= 0) set to v.
func int8Safetensors(t *testing.T, edit func(h map[string]any), scale string, v float32) []byte {
	t.Helper()
	c := testConfig()
	var buf bytes.Buffer
	if err := WriteStoredSafetensors(&buf, Store(randomWeights(c), Int8).Names(c), Store(randomWeights(c), Int8), nil, false); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	hl := binary.LittleEndian.Uint64(data)
	var h map[string]any
	if err := json.Unmarshal(data[8:8+hl], &h); err != nil {
		t.Fatal(err)
	}
	body := data[8+hl:]
	if scale != "" {
		off := int(h[scale].(map[string]any)["data_offsets"].([]any)[0].(float64))
		binary.LittleEndian.PutUint32(body[off:], math.Float32bits(v))
	}
	if edit != nil {
		edit(h)
	}
	hb, _ := json.Marshal(h)
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(hb)))
	return append(append(out, hb...), body...)
}

func TestInt8Rejects(t *testing.T) {
	m := "decoder.out.weight"
	for _, c := range []struct {
		name  string
		edit  func(h map[string]any)
		scale string
		v     float32
		want  string
	}{
		{"nan scale", nil, m + ScaleSuffix, float32(math.NaN()), m + ScaleSuffix},
		{"negative scale", nil, m + ScaleSuffix, -1, "not negative"},
		{"no scales", func(h map[string]any) { delete(h, m+ScaleSuffix) }, "", 0, "without its scales"},
		{"scales of wrong dtype", func(h map[string]any) { h[m+ScaleSuffix].(map[string]any)["dtype"] = "F16" }, "", 0, m + ScaleSuffix},
		{"int8 vector", func(h map[string]any) {
			e := h[m].(map[string]any)
			e["shape"] = []int{len(h[m+ScaleSuffix].(map[string]any)["shape"].([]any)) * 0}
		}, "", 0, m},
		{"unknown dtype", func(h map[string]any) { h[m].(map[string]any)["dtype"] = "U8" }, "", 0, "U8"},
	} {
		_, _, err := ReadSafetensors(int8Safetensors(t, c.edit, c.scale, c.v))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error naming %q", c.name, err, c.want)
		}
	}
	// Int8 tensors in a bundle whose manifest does not say int8.
	cf := testConfig()
	sw := Store(randomWeights(cf), Int8)
	if err := sw.Check(cf, BF16); err == nil || !strings.Contains(err.Error(), "int8") {
		t.Errorf("int8 weights in a bfloat16 bundle: %v", err)
	}
}
