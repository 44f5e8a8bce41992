package craft

import (
	"archive/zip"
	"bytes"
	"hash/crc32"
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

// Tokens is a groove window array [1, 16, 27] of zeros, which data render
// turns into one MIDI file.
func Tokens() NPZMember {
	return Plain("tokens.npy", append(NPYHeader("<f4", "(1, 16, 27)"), make([]byte, 4*16*27)...))
}

// HugeMember is a member of shape (2^31,) float32 (8 GiB) holding mib MiB of
// zeros deflated (about 1 KiB per MiB); claim is the uncompressed size its zip
// entry claims (0: the true size).
func HugeMember(mib int, claim uint64) NPZMember {
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
		"claims-past-deflate": NPZ(Tokens(), HugeMember(1, 8<<30+uint64(len(hdr)))),
		// A stored member whose header claims 8 GiB and holds 64 bytes.
		"header-claims-more": NPZ(Tokens(), Plain("big.npy", append(hdr, make([]byte, 64)...))),
		// A stored member whose zip entry claims 1 TiB.
		"stored-claims-more": NPZ(Tokens(), NPZMember{Name: "big.npy", Method: zip.Store, Compressed: hdr, Size: 1 << 40}),
		"duplicate-member":   NPZ(Tokens(), Tokens()),
	}
}
