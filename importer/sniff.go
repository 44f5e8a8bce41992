package importer

import "github.com/musicvae-go/mvae/internal/magic"

// fileKind is what a file's first bytes say it is.
type fileKind int

const (
	kindUnknown       fileKind = iota // no known signature: ONNX (protobuf has none) or nothing
	kindZip                           // a zip archive: a PyTorch state_dict (zip format)
	kindLegacyPyTorch                 // a pickle, tar or gzip file: PyTorch's format before 1.6
	kindOther                         // a known format that holds no model mvae reads
)

// sniff says what data is, from its first bytes; what names the format ("a
// PNG image").
func sniff(data []byte) (kind fileKind, what string) {
	switch f := magic.Detect(data); f {
	case magic.Unknown:
		return kindUnknown, ""
	case magic.Zip:
		return kindZip, f.String()
	case magic.Pickle, magic.Gzip, magic.Tar:
		return kindLegacyPyTorch, f.String()
	default:
		return kindOther, f.String()
	}
}

// sniffHead says whether a file's first four bytes are a zip archive's
// (kindZip) or not (kindUnknown: sniff the whole file to say more).
func sniffHead(head []byte) fileKind {
	if len(head) == 4 && magic.Detect(head) == magic.Zip {
		return kindZip
	}
	return kindUnknown
}
