package hostile

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"

	"github.com/musicvae-go/mvae/model"
)

// Bundles stored below float32 (mvae quantize): int8 matrices whose scales
// are NaN, negative, missing or of the wrong shape or dtype, bfloat16 values
// that are not finite, int8 tensors in a bundle that says float32, and an
// unknown weights_dtype. Each is one error naming the bundle and the tensor.

// storedSafetensors is the tiny model's weights stored in precision p, its
// header changed by edit and then the 4 bytes of tensor at (if not "")
// set to bits.
func storedSafetensors(p model.Precision, edit func(h map[string]map[string]any), at string, bits uint32) []byte {
	c := tinyConfig()
	sw := model.Store(tinyWeights(c), p)
	var buf bytes.Buffer
	if err := model.WriteStoredSafetensors(&buf, sw.Names(c), sw, nil, false); err != nil {
		panic(err)
	}
	data := buf.Bytes()
	hl := binary.LittleEndian.Uint64(data)
	var h map[string]map[string]any
	if err := json.Unmarshal(data[8:8+hl], &h); err != nil {
		panic(err)
	}
	body := append([]byte{}, data[8+hl:]...)
	if at != "" {
		off := int(h[at]["data_offsets"].([]any)[0].(float64))
		binary.LittleEndian.PutUint32(body[off:], bits)
	}
	if edit != nil {
		edit(h)
	}
	hb, err := json.Marshal(h)
	if err != nil {
		panic(err)
	}
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(hb)))
	return append(append(out, hb...), body...)
}

// storedBundle is a bundle of the tiny model whose manifest says dtype and
// whose weights are st.
func storedBundle(dtype string, st []byte) []byte {
	return zipOf(member{name: "mvae.json", data: tinyManifest(nil, dtype), deflate: true}, member{name: "weights.safetensors", data: st})
}

func init() {
	const m = "decoder.out.weight"
	cases := []struct {
		name string
		make func() []byte
		want []string
	}{
		{"nan-scale", func() []byte {
			return storedBundle("int8", storedSafetensors(model.Int8, nil, m+model.ScaleSuffix, math.Float32bits(float32(math.NaN()))))
		}, []string{m + model.ScaleSuffix, "finite"}},
		{"inf-scale", func() []byte {
			return storedBundle("int8", storedSafetensors(model.Int8, nil, m+model.ScaleSuffix, math.Float32bits(float32(math.Inf(1)))))
		}, []string{m + model.ScaleSuffix, "finite"}},
		{"negative-scale", func() []byte {
			return storedBundle("int8", storedSafetensors(model.Int8, nil, m+model.ScaleSuffix, math.Float32bits(-0.5)))
		}, []string{m + model.ScaleSuffix, "negative"}},
		{"missing-scale", func() []byte {
			return storedBundle("int8", storedSafetensors(model.Int8, func(h map[string]map[string]any) { delete(h, m+model.ScaleSuffix) }, "", 0))
		}, []string{m, "without its scales"}},
		{"scale-wrong-dtype", func() []byte {
			return storedBundle("int8", storedSafetensors(model.Int8, func(h map[string]map[string]any) { h[m+model.ScaleSuffix]["dtype"] = "I8" }, "", 0))
		}, []string{m + model.ScaleSuffix}},
		{"scale-wrong-shape", func() []byte {
			return storedBundle("int8", storedSafetensors(model.Int8, func(h map[string]map[string]any) {
				h[m+model.ScaleSuffix]["shape"] = []int{1, 27}
			}, "", 0))
		}, []string{m + model.ScaleSuffix, "one per row"}},
		{"int8-vector", func() []byte {
			return storedBundle("int8", storedSafetensors(model.Int8, func(h map[string]map[string]any) { h[m]["shape"] = []int{27 * 3} }, "", 0))
		}, []string{m, "matrices"}},
		{"int8-in-float32-bundle", func() []byte {
			return storedBundle("float32", storedSafetensors(model.Int8, nil, "", 0))
		}, []string{"int8", "float32"}},
		{"bf16-nan", func() []byte {
			return storedBundle("bfloat16", storedSafetensors(model.BF16, nil, m, 0x7fc17fc1))
		}, []string{m, "finite"}},
		{"f16-inf", func() []byte {
			return storedBundle("float16", storedSafetensors(model.F16, nil, m, 0x7c007c00))
		}, []string{m, "finite"}},
		{"unknown-weights-dtype", func() []byte {
			return storedBundle("int4", storedSafetensors(model.Int8, nil, "", 0))
		}, []string{"weights_dtype", "int4"}},
	}
	for _, c := range cases {
		bundleCase("quantized/"+c.name, c.make, c.want, false, false, generateNative...)
		bundleCase("quantized/"+c.name+"-quantize", c.make, c.want, false, false, "quantize", "BUNDLE", "--precision", "f32", "-o", "OUT")
	}
}
