package hostile

import (
	"path/filepath"

	"github.com/musicvae-go/mvae/internal/craft"
)

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
		renderCase("npz/"+name, "windows.npz", "big", func() []byte { return craft.SmallNPZ()[name] }, false, want...)
	}
	// 2 GiB of zeros deflated into 2 MiB behind a header of shape (2^31,):
	// never read when nobody asks for it…
	renderCase("npz/unused-huge-member", "windows.npz", "tokens", func() []byte {
		return craft.NPZ(craft.Tokens(), craft.HugeMember(2<<10, 0))
	}, true)
	// …and refused before it is allocated when asked for.
	renderCase("npz/huge-member", "windows.npz", "big", func() []byte {
		return craft.NPZ(craft.Tokens(), craft.HugeMember(2<<10, 0))
	}, false, "big.npy", "needs 8589934592 bytes")
	renderCase("npz/not-a-zip", "windows.npz", "", func() []byte {
		return []byte("PK\x03\x04 but nothing else of a zip archive")
	}, false, "not a .npz archive")
	// A .npy whose header claims 8 GiB and which holds 64 bytes.
	renderCase("npy/header-claims-more", "windows.npy", "", func() []byte {
		return append(craft.NPYHeader("<f4", "(2147483648,)"), make([]byte, 64)...)
	}, false, "needs 8589934592 bytes, 64 remain")
}
