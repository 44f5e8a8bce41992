package importer

import (
	"bytes"
	"encoding/binary"
	"unicode/utf8"
)

// fileKind is what a file's first bytes say it is.
type fileKind int

const (
	kindUnknown       fileKind = iota // no known signature: ONNX (protobuf has none) or nothing
	kindZip                           // a zip archive: a PyTorch state_dict (zip format)
	kindLegacyPyTorch                 // a pickle, tar or gzip file: PyTorch's format before 1.6
	kindOther                         // a known format that holds no model mvae reads
)

// signatures of the formats most often given by mistake, checked at offset 0.
var signatures = []struct {
	magic string
	what  string
}{
	{"\x89PNG\r\n\x1a\n", "a PNG image"},
	{"\xff\xd8\xff", "a JPEG image"},
	{"GIF87a", "a GIF image"},
	{"GIF89a", "a GIF image"},
	{"%PDF-", "a PDF document"},
	{"MThd", "a MIDI file"},
	{"\x93NUMPY", "a NumPy .npy array"},
	{"\x89HDF\r\n\x1a\n", "an HDF5 file (a Keras model?)"},
	{"RIFF", "a RIFF file (WAV audio?)"},
	{"OggS", "an Ogg file"},
	{"fLaC", "a FLAC file"},
	{"ID3", "an MP3 file"},
	{"\x7fELF", "an executable (ELF)"},
	{"BZh", "bzip2-compressed data"},
	{"\xfd7zXZ\x00", "xz-compressed data"},
	{"\x28\xb5\x2f\xfd", "zstd-compressed data"},
	{"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"},
	{"Rar!\x1a\x07", "a RAR archive"},
}

// sniff says what data is, from its first bytes. For kindLegacyPyTorch and
// kindOther, what names the format ("a PNG image").
func sniff(data []byte) (kind fileKind, what string) {
	switch {
	case len(data) == 0:
		return kindOther, "an empty file"
	case bytes.HasPrefix(data, []byte("PK\x03\x04")), bytes.HasPrefix(data, []byte("PK\x05\x06")):
		return kindZip, "a zip archive"
	case len(data) >= 2 && data[0] == 0x80 && data[1] <= 5:
		return kindLegacyPyTorch, "a pickle file"
	case bytes.HasPrefix(data, []byte("\x1f\x8b")):
		return kindLegacyPyTorch, "gzip-compressed data"
	case len(data) >= 262 && string(data[257:262]) == "ustar":
		return kindLegacyPyTorch, "a tar archive"
	}
	for _, s := range signatures {
		if bytes.HasPrefix(data, []byte(s.magic)) {
			return kindOther, s.what
		}
	}
	// safetensors: an 8-byte little-endian header length, then a JSON object.
	if len(data) >= 9 && data[8] == '{' && binary.LittleEndian.Uint64(data) <= uint64(len(data)-8) {
		return kindOther, "a safetensors file (weights without a config)"
	}
	if isText(data) {
		if t := bytes.TrimSpace(data); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
			return kindOther, "a text file (JSON?)"
		}
		return kindOther, "a text file"
	}
	return kindUnknown, ""
}

// isText reports whether the first KiB of data is printable UTF-8 text.
func isText(data []byte) bool {
	head := data[:min(len(data), 1024)]
	for len(head) > 0 {
		r, n := utf8.DecodeRune(head)
		if r == utf8.RuneError && n <= 1 {
			// A rune cut at the end of the window is still text.
			return len(head) < utf8.UTFMax && len(data) > 1024
		}
		if r < 0x20 && r != '\n' && r != '\r' && r != '\t' || r == 0x7f {
			return false
		}
		head = head[n:]
	}
	return true
}
