package craft

import (
	"encoding/binary"
	"math"
)

// A PyTorch state_dict (.pt) must never make mvae import allocate more than
// the file can hold, crash, or accept a non-finite weight.

// OneTensor is a state_dict of one tensor over a stored storage of values.
func OneTensor(t PTTensor, values ...float32) []byte {
	return PTZip(StateDictPickle([]PTTensor{t}), Stored("data/0", Floats(values...)))
}

// PKLZip is a .pt whose data.pkl is the given pickle.
func PKLZip(pkl []byte) []byte { return PTZip(pkl) }

// SmallPT returns the small crafted .pt files, by case name (for the fuzz
// corpus of the importer).
func SmallPT() map[string][]byte {
	return map[string][]byte{
		// A 1-value storage viewed as 32768×32768 with stride 0.
		"stride-zero":       OneTensor(PTTensor{Name: "encoder.mu.weight", Key: "0", Numel: 1, Size: []int{32768, 32768}, Stride: []int{0, 0}}, 1),
		"negative-stride":   OneTensor(PTTensor{Name: "encoder.mu.weight", Key: "0", Numel: 4, Offset: 3, Size: []int{4}, Stride: []int{-1}}, 1, 2, 3, 4),
		"view-past-storage": OneTensor(PTTensor{Name: "encoder.mu.weight", Key: "0", Numel: 4, Offset: 2, Size: []int{2, 2}, Stride: []int{2, 1}}, 1, 2, 3, 4),
		"overlapping-view":  OneTensor(PTTensor{Name: "encoder.mu.weight", Key: "0", Numel: 4, Size: []int{3, 3}, Stride: []int{1, 1}}, 1, 2, 3, 4),
		"nan-weight":        OneTensor(PTTensor{Name: "encoder.mu.weight", Key: "0", Numel: 4, Size: []int{2, 2}, Stride: []int{2, 1}}, 1, 2, float32(math.NaN()), 4),
		"inf-weight":        OneTensor(PTTensor{Name: "decoder.out.bias", Key: "0", Numel: 2, Size: []int{2}, Stride: []int{1}}, float32(math.Inf(-1)), 0),
		// The persistent id claims 2^29 values; the record holds one.
		"storage-claims-more": OneTensor(PTTensor{Name: "encoder.mu.weight", Key: "0", Numel: 1 << 29, Size: []int{1}, Stride: []int{1}}, 1),
		// 2^62+1 values of 4 bytes: 4 bytes, once the product wraps.
		"storage-numel-overflow": OneTensor(PTTensor{Name: "encoder.mu.weight", Key: "0", Numel: 1<<62 + 1, Size: []int{1}, Stride: []int{1}}, 1),
		// A huge offset and stride.
		"offset-overflow": OneTensor(PTTensor{Name: "encoder.mu.weight", Key: "0", Numel: 2, Offset: 1 << 62, Size: []int{2}, Stride: []int{1 << 62}}, 1, 2),
		// BINUNICODE8 and FRAME claiming 2^40 bytes.
		"binunicode8-huge": PKLZip(append(binary.LittleEndian.AppendUint64([]byte{0x80, 4, 0x8d}, 1<<40), "abc."...)),
		"frame-huge":       PKLZip(append(binary.LittleEndian.AppendUint64([]byte{0x80, 4, 0x95}, 1<<40), "N."...)),
		"unknown-opcode":   PKLZip([]byte{0x80, 2, 0xff, '.'}),
		"long4-huge":       PKLZip(append(binary.LittleEndian.AppendUint32([]byte{0x80, 2, 0x8b}, 1<<20), make([]byte, 1<<20)...)),
		"no-stop":          PKLZip([]byte{0x80, 2, '}'}),
	}
}
