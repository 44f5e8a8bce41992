package hostile

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"math"
	"path/filepath"
)

// A PyTorch state_dict (.pt) must never make mvae import allocate more than
// the file can hold, crash, or accept a non-finite weight.

// oneTensor is a state_dict of one tensor over a stored storage of values.
func oneTensor(t PTTensor, values ...float32) []byte {
	return PTZip(StateDictPickle([]PTTensor{t}), Stored("data/0", Floats(values...)))
}

// pklZip is a .pt whose data.pkl is the given pickle.
func pklZip(pkl []byte) []byte { return PTZip(pkl) }

// SmallPT returns the small crafted .pt files, by case name (for the fuzz
// corpus of the importer).
func SmallPT() map[string][]byte {
	return map[string][]byte{
		// A 1-value storage viewed as 32768×32768 with stride 0.
		"stride-zero":       oneTensor(PTTensor{Name: "encoder.mu.weight", Key: "0", Numel: 1, Size: []int{32768, 32768}, Stride: []int{0, 0}}, 1),
		"negative-stride":   oneTensor(PTTensor{Name: "encoder.mu.weight", Key: "0", Numel: 4, Offset: 3, Size: []int{4}, Stride: []int{-1}}, 1, 2, 3, 4),
		"view-past-storage": oneTensor(PTTensor{Name: "encoder.mu.weight", Key: "0", Numel: 4, Offset: 2, Size: []int{2, 2}, Stride: []int{2, 1}}, 1, 2, 3, 4),
		"overlapping-view":  oneTensor(PTTensor{Name: "encoder.mu.weight", Key: "0", Numel: 4, Size: []int{3, 3}, Stride: []int{1, 1}}, 1, 2, 3, 4),
		"nan-weight":        oneTensor(PTTensor{Name: "encoder.mu.weight", Key: "0", Numel: 4, Size: []int{2, 2}, Stride: []int{2, 1}}, 1, 2, float32(math.NaN()), 4),
		"inf-weight":        oneTensor(PTTensor{Name: "decoder.out.bias", Key: "0", Numel: 2, Size: []int{2}, Stride: []int{1}}, float32(math.Inf(-1)), 0),
		// The persistent id claims 2^29 values; the record holds one.
		"storage-claims-more": oneTensor(PTTensor{Name: "encoder.mu.weight", Key: "0", Numel: 1 << 29, Size: []int{1}, Stride: []int{1}}, 1),
		// 2^62+1 values of 4 bytes: 4 bytes, once the product wraps.
		"storage-numel-overflow": oneTensor(PTTensor{Name: "encoder.mu.weight", Key: "0", Numel: 1<<62 + 1, Size: []int{1}, Stride: []int{1}}, 1),
		// A huge offset and stride.
		"offset-overflow": oneTensor(PTTensor{Name: "encoder.mu.weight", Key: "0", Numel: 2, Offset: 1 << 62, Size: []int{2}, Stride: []int{1 << 62}}, 1, 2),
		// BINUNICODE8 and FRAME claiming 2^40 bytes.
		"binunicode8-huge": pklZip(append(binary.LittleEndian.AppendUint64([]byte{0x80, 4, 0x8d}, 1<<40), "abc."...)),
		"frame-huge":       pklZip(append(binary.LittleEndian.AppendUint64([]byte{0x80, 4, 0x95}, 1<<40), "N."...)),
		"unknown-opcode":   pklZip([]byte{0x80, 2, 0xff, '.'}),
		"long4-huge":       pklZip(append(binary.LittleEndian.AppendUint32([]byte{0x80, 2, 0x8b}, 1<<20), make([]byte, 1<<20)...)),
		"no-stop":          pklZip([]byte{0x80, 2, '}'}),
	}
}

// smallPTWant is what each small case's message must say.
var smallPTWant = map[string][]string{
	"stride-zero":            {"encoder.mu.weight", "stride 0"},
	"negative-stride":        {"encoder.mu.weight", "negative stride"},
	"view-past-storage":      {"encoder.mu.weight", "reaches past the storage"},
	"overlapping-view":       {"encoder.mu.weight", "more values than the storage"},
	"nan-weight":             {"encoder.mu.weight", "element [1 0] is NaN"},
	"inf-weight":             {"decoder.out.bias", "-Inf"},
	"storage-claims-more":    {"claims 536870912 values", "record holds 4 bytes"},
	"storage-numel-overflow": {"claims 4611686018427387905 values"},
	"offset-overflow":        {"encoder.mu.weight", "offset is past the storage"},
	"binunicode8-huge":       {"BINUNICODE8", "claims 1099511627776 bytes"},
	"frame-huge":             {"FRAME", "claims 1099511627776 bytes"},
	"unknown-opcode":         {"unknown pickle opcode 0xff"},
	"long4-huge":             {"LONG4", "integer of 1048576 bytes"},
	"no-stop":                {"no STOP"},
}

// ptCase registers an import of one crafted file.
func ptCase(name, file string, build func() []byte, want ...string) {
	Register(Case{
		Name: "pt/" + name,
		Make: func(dir string) ([]string, string, error) {
			p, err := writeFile(dir, file, build())
			return []string{"import", p, "-o", filepath.Join(dir, "out.mvae"), "--no-verify"}, p, err
		},
		Want: want,
	})
}

func init() {
	for name, want := range smallPTWant {
		ptCase(name, "model.pt", func() []byte { return SmallPT()[name] }, want...)
	}
	// 4 GiB of zeros deflated into 4 MiB: a storage of 2^30 float32.
	ptCase("deflated-zeros", "model.pt", func() []byte {
		z, crc, size := DeflatedZeros(nil, 4<<10)
		pkl := StateDictPickle([]PTTensor{{Name: "encoder.mu.weight", Key: "0", Numel: 1 << 30, Size: []int{1 << 30}, Stride: []int{1}}})
		return PTZip(pkl, PTRecord{Name: "data/0", Method: zip.Deflate, CRC32: crc, Compressed: z, Size: size})
	}, "storage \"0\"", "more than 64 times")
	// 600 tensors viewing one 4 MiB storage whole: 2.4 GiB of copies.
	ptCase("views-over-budget", "model.pt", func() []byte {
		var ts []PTTensor
		for i := 0; i < 600; i++ {
			ts = append(ts, PTTensor{Name: "t" + string(rune('a'+i%26)) + string(rune('a'+i/26)), Key: "0", Numel: 1 << 20, Size: []int{1 << 20}, Stride: []int{1}})
		}
		return PTZip(StateDictPickle(ts), Stored("data/0", make([]byte, 4<<20)))
	}, "views add up to more than")
	// As many MARKs as the scan lets through: gopickle allocates a stack for each.
	ptCase("many-marks", "model.pt", func() []byte {
		pkl := append([]byte{0x80, 2}, bytes.Repeat([]byte{'('}, 1<<21-2)...)
		return pklZip(append(pkl, '.'))
	}, "data.pkl")
	// One opcode more than the scan lets through.
	ptCase("too-many-opcodes", "model.pt", func() []byte {
		pkl := append([]byte{0x80, 2}, bytes.Repeat([]byte{'N'}, 1<<21)...)
		return pklZip(append(pkl, '.'))
	}, "more than 2097152 pickle opcodes")
	// Not a model at all.
	ptCase("png", "model.pt", func() []byte {
		return append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 64)...)
	}, "a PNG image", "not a model")
}
