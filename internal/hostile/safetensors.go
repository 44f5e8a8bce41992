package hostile

import (
	"encoding/binary"
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

var safetensorsSeeds = []bundleSeed{
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
		return withWeights(rawSafetensors(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}`, make([]byte, 12)))
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
	for _, s := range safetensorsSeeds {
		bundleCase("safetensors/"+s.name, s.make, s.want, false, false, generateNative...)
	}
	bundleSeeds = append(bundleSeeds, safetensorsSeeds...)
}
