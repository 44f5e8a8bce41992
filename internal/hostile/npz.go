package hostile

import (
	"archive/zip"
	"bytes"
	"hash/crc32"
	"path/filepath"
	"strings"
)

// NumPy files (.npy, .npz) must never make mvae allocate more than the file
// can hold, and a .npz member nobody asks for must never be read.

// NPYHeader is a version 1.0 .npy header for a dtype and shape literal, e.g.
// NPYHeader("<f4", "(2, 3)").
func NPYHeader(descr, shape string) []byte {
	h := "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }"
	h += strings.Repeat(" ", (64-(10+len(h)+1)%64)%64) + "\n"
	return append([]byte{0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, byte(len(h)), byte(len(h) >> 8)}, h...)
}

// NPZMember is one member of a crafted .npz, written with the sizes given.
type NPZMember struct {
	Name       string // with .npy
	Method     uint16
	CRC32      uint32
	Compressed []byte
	Size       uint64 // the uncompressed size claimed
}

// Plain is a member stored uncompressed with its true sizes.
func Plain(name string, body []byte) NPZMember {
	return NPZMember{Name: name, Method: zip.Store, CRC32: crc32.ChecksumIEEE(body), Compressed: body, Size: uint64(len(body))}
}

// NPZ writes a zip of the members.
func NPZ(members ...NPZMember) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range members {
		w, err := zw.CreateRaw(&zip.FileHeader{Name: m.Name, Method: m.Method, CRC32: m.CRC32,
			CompressedSize64: uint64(len(m.Compressed)), UncompressedSize64: m.Size})
		if err != nil {
			panic(err) // writing to memory
		}
		w.Write(m.Compressed)
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// tokens is a groove window array [1, 16, 27] of zeros, which data render
// turns into one MIDI file.
func tokens() NPZMember {
	return Plain("tokens.npy", append(NPYHeader("<f4", "(1, 16, 27)"), make([]byte, 4*16*27)...))
}

// hugeMember is a member of shape (2^31,) float32 (8 GiB) holding mib MiB of
// zeros deflated (about 1 KiB per MiB); claim is the uncompressed size its zip
// entry claims (0: the true size).
func hugeMember(mib int, claim uint64) NPZMember {
	z, crc, size := DeflatedZeros(NPYHeader("<f4", "(2147483648,)"), mib)
	if claim == 0 {
		claim = size
	}
	return NPZMember{Name: "big.npy", Method: zip.Deflate, CRC32: crc, Compressed: z, Size: claim}
}

// SmallNPZ returns the small crafted .npz files, by case name (for the fuzz
// corpus of the npy package).
func SmallNPZ() map[string][]byte {
	hdr := NPYHeader("<f4", "(2147483648,)")
	return map[string][]byte{
		// An 8 GiB member claimed from 1 KiB of deflate.
		"claims-past-deflate": NPZ(tokens(), hugeMember(1, 8<<30+uint64(len(hdr)))),
		// A stored member whose header claims 8 GiB and holds 64 bytes.
		"header-claims-more": NPZ(tokens(), Plain("big.npy", append(hdr, make([]byte, 64)...))),
		// A stored member whose zip entry claims 1 TiB.
		"stored-claims-more": NPZ(tokens(), NPZMember{Name: "big.npy", Method: zip.Store, Compressed: hdr, Size: 1 << 40}),
		"duplicate-member":   NPZ(tokens(), tokens()),
	}
}

var smallNPZWant = map[string][]string{
	"claims-past-deflate": {"big.npy", "more than deflate can expand"},
	"header-claims-more":  {"big.npy", "truncated .npy data", "needs 8589934592 bytes, 64 remain"},
	"stored-claims-more":  {"big.npy", "stored uncompressed, yet it claims 1099511627776 bytes"},
	"duplicate-member":    {"tokens.npy appears twice"},
}

// renderCase registers mvae data render on one crafted file.
func renderCase(name, file string, array string, build func() []byte, exitZero bool, want ...string) {
	Register(Case{
		Name: name,
		Make: func(dir string) ([]string, string, error) {
			p, err := writeFile(dir, file, build())
			args := []string{"data", "render", p, "-o", filepath.Join(dir, "out")}
			if array != "" {
				args = append(args, "--array", array)
			}
			return args, p, err
		},
		Want:     want,
		ExitZero: exitZero,
	})
}

func init() {
	for name, want := range smallNPZWant {
		renderCase("npz/"+name, "windows.npz", "big", func() []byte { return SmallNPZ()[name] }, false, want...)
	}
	// 2 GiB of zeros deflated into 2 MiB behind a header of shape (2^31,):
	// never read when nobody asks for it…
	renderCase("npz/unused-huge-member", "windows.npz", "tokens", func() []byte {
		return NPZ(tokens(), hugeMember(2<<10, 0))
	}, true)
	// …and refused before it is allocated when asked for.
	renderCase("npz/huge-member", "windows.npz", "big", func() []byte {
		return NPZ(tokens(), hugeMember(2<<10, 0))
	}, false, "big.npy", "needs 8589934592 bytes")
	renderCase("npz/not-a-zip", "windows.npz", "", func() []byte {
		return []byte("PK\x03\x04 but nothing else of a zip archive")
	}, false, "not a .npz archive")
	// A .npy whose header claims 8 GiB and which holds 64 bytes.
	renderCase("npy/header-claims-more", "windows.npy", "", func() []byte {
		return append(NPYHeader("<f4", "(2147483648,)"), make([]byte, 64)...)
	}, false, "needs 8589934592 bytes, 64 remain")
}
