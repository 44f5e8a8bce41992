package hostile

import (
	"archive/zip"
	"bytes"
	"path/filepath"

	"github.com/musicvae-go/mvae/internal/craft"
)

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
		ptCase(name, "model.pt", func() []byte { return craft.SmallPT()[name] }, want...)
	}
	// 4 GiB of zeros deflated into 4 MiB: a storage of 2^30 float32.
	ptCase("deflated-zeros", "model.pt", func() []byte {
		z, crc, size := craft.DeflatedZeros(nil, 4<<10)
		pkl := craft.StateDictPickle([]craft.PTTensor{{Name: "encoder.mu.weight", Key: "0", Numel: 1 << 30, Size: []int{1 << 30}, Stride: []int{1}}})
		return craft.PTZip(pkl, craft.PTRecord{Name: "data/0", Method: zip.Deflate, CRC32: crc, Compressed: z, Size: size})
	}, "storage \"0\"", "more than 64 times")
	// 600 tensors viewing one 4 MiB storage whole: 2.4 GiB of copies.
	ptCase("views-over-budget", "model.pt", func() []byte {
		var ts []craft.PTTensor
		for i := 0; i < 600; i++ {
			ts = append(ts, craft.PTTensor{Name: "t" + string(rune('a'+i%26)) + string(rune('a'+i/26)), Key: "0", Numel: 1 << 20, Size: []int{1 << 20}, Stride: []int{1}})
		}
		return craft.PTZip(craft.StateDictPickle(ts), craft.Stored("data/0", make([]byte, 4<<20)))
	}, "views add up to more than")
	// As many MARKs as the scan lets through: gopickle allocates a stack for each.
	ptCase("many-marks", "model.pt", func() []byte {
		pkl := append([]byte{0x80, 2}, bytes.Repeat([]byte{'('}, 1<<21-2)...)
		return craft.PKLZip(append(pkl, '.'))
	}, "data.pkl")
	// One opcode more than the scan lets through.
	ptCase("too-many-opcodes", "model.pt", func() []byte {
		pkl := append([]byte{0x80, 2}, bytes.Repeat([]byte{'N'}, 1<<21)...)
		return craft.PKLZip(append(pkl, '.'))
	}, "more than 2097152 pickle opcodes")
	// Not a model at all.
	ptCase("png", "model.pt", func() []byte {
		return append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 64)...)
	}, "a PNG image", "not a model")
}
