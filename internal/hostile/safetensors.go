package hostile

import (
	"archive/zip"
	"encoding/binary"
	"encoding/json"
	"math"

	"github.com/musicvae-go/mvae/model"
)

// weights.safetensors inside a bundle: non-finite weights, headers and
// offsets that do not fit the file.

// rawSafetensors is a safetensors file from its JSON header and data.
func rawSafetensors(header string, data []byte) []byte {
	b := make([]byte, 8, 8+len(header)+len(data))
	binary.LittleEndian.PutUint64(b, uint64(len(header)))
	return append(append(b, header...), data...)
}

// withWeights is a bundle of the tiny model whose weights.safetensors is st
// and which stores no graphs.
func withWeights(st []byte) []byte {
	return zipOf(member{name: "mvae.json", data: tinyManifest(nil, "float32")}, member{name: "weights.safetensors", data: st})
}

// bigClaim is a bundle whose manifest describes a model of about 250M
// parameters and whose weights member declares their 500 MB (float16),
// stored, with the header that lists them all, in a file of a few KB.
func bigClaim() []byte {
	c := tinyConfig()
	c.Encoder = model.LSTMSize{Hidden: 2048, Layers: 2}
	c.Conductor = model.LSTMSize{Hidden: 1024, Layers: 2}
	c.Decoder = model.LSTMSize{Hidden: 4096, Layers: 2}
	h := map[string]any{}
	off := 0
	for _, p := range c.Params() {
		n := 2
		for _, d := range p.Shape {
			n *= d
		}
		h[p.Name] = map[string]any{"dtype": "F16", "shape": p.Shape, "data_offsets": []int{off, off + n}}
		off += n
	}
	hb, err := json.Marshal(h)
	if err != nil {
		panic(err)
	}
	st := rawSafetensors(string(hb), nil)
	declared := uint64(len(st) + off)
	mj, err := json.Marshal(model.Manifest{Format: model.BundleFormat, Config: c, Weights: "weights.safetensors", WeightsDType: "float16"})
	if err != nil {
		panic(err)
	}
	return zipOf(member{name: "mvae.json", data: mj},
		member{name: "weights.safetensors", raw: &rawMember{hdr: zip.FileHeader{Method: zip.Store, CRC32: 1,
			CompressedSize64: declared, UncompressedSize64: declared}, data: st}})
}

// bigZeros is a bundle whose manifest describes the model of bigClaim and
// whose weights member is 512 MiB of zeros deflated to half a MiB.
func bigZeros() []byte {
	c := tinyConfig()
	c.Encoder = model.LSTMSize{Hidden: 2048, Layers: 2}
	c.Conductor = model.LSTMSize{Hidden: 1024, Layers: 2}
	c.Decoder = model.LSTMSize{Hidden: 4096, Layers: 2}
	mj, err := json.Marshal(model.Manifest{Format: model.BundleFormat, Config: c, Weights: "weights.safetensors", WeightsDType: "float16"})
	if err != nil {
		panic(err)
	}
	return zipOf(member{name: "mvae.json", data: mj}, member{name: "weights.safetensors", raw: zeroBomb(512)})
}

var safetensorsSeeds = []bundleSeed{
	{"declared-beyond-file", bigClaim, []string{"weights.safetensors", "compressed bytes at offset"}},
	{"nan-weight", func() []byte {
		return withWeights(tinySafetensors(false, func(w model.Weights) { w["encoder.mu.weight"].Data[5] = nan }))
	}, []string{"encoder.mu.weight", "NaN", "finite"}},
	{"inf-weight-float16", func() []byte {
		return withWeights(tinySafetensors(true, func(w model.Weights) {
			w["decoder.out.bias"].Data[0] = float32(math.Inf(1))
		}))
	}, []string{"decoder.out.bias", "Inf", "finite"}},
	{"header-length-beyond-file", func() []byte {
		st := tinySafetensors(false, nil)
		binary.LittleEndian.PutUint64(st, 1<<40)
		return withWeights(st)
	}, []string{"header length"}},
	{"overlapping-tensors", func() []byte {
		// The tiny model's tensors, the second starting 4 bytes into the first.
		h := map[string]any{}
		off := 0
		for i, p := range tinyConfig().Params() {
			n := 4
			for _, d := range p.Shape {
				n *= d
			}
			b := off
			if i == 1 {
				b -= 4
			}
			h[p.Name] = map[string]any{"dtype": "F32", "shape": p.Shape, "data_offsets": []int{b, b + n}}
			off = b + n
		}
		hb, err := json.Marshal(h)
		if err != nil {
			panic(err)
		}
		return withWeights(rawSafetensors(string(hb), make([]byte, off)))
	}, []string{"overlaps"}},
	{"offsets-beyond-data", func() []byte {
		return withWeights(rawSafetensors(`{"encoder.mu.bias":{"dtype":"F32","shape":[1000000],"data_offsets":[0,4000000]}}`, make([]byte, 16)))
	}, []string{"encoder.mu.bias", "do not fit"}},
	{"int-dtype", func() []byte {
		return withWeights(rawSafetensors(`{"encoder.mu.bias":{"dtype":"I64","shape":[2],"data_offsets":[0,16]}}`, make([]byte, 16)))
	}, []string{"I64"}},
	{"wrong-shape", func() []byte {
		return withWeights(tinySafetensors(false, func(w model.Weights) {
			w["encoder.mu.bias"] = &model.Tensor{Shape: []int{2, 2}, Data: make([]float32, 4)}
		}))
	}, []string{"encoder.mu.bias", "want [4]"}},
}

func init() {
	bundleCase("safetensors/deflated-zeros", bigZeros, []string{"weights.safetensors", "ratio"}, false, false, generateNative...)
	for _, s := range safetensorsSeeds {
		bundleCase("safetensors/"+s.name, s.make, s.want, false, false, generateNative...)
	}
	bundleSeeds = append(bundleSeeds, safetensorsSeeds...)
}
