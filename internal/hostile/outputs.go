package hostile

import (
	"os"
	"path/filepath"

	"github.com/musicvae-go/mvae/music"
	"github.com/musicvae-go/mvae/npy"
)

// writeFlagCaseInputs writes the ordinary inputs the flag and output cases name:
// a.mid and b.mid (4-bar grooves), w.npy (their windows, [1, 64, 27]) and
// z.npy (a latent vector, [1, 64]).
func writeFlagCaseInputs(dir string) error {
	win := make([]float32, 64*27)
	for s := 0; s < 64; s += 4 {
		win[s*27] = 1
		win[s*27+9] = 0.8
	}
	for _, name := range []string{"a.mid", "b.mid"} {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		err = music.WindowToMIDI(f, win, music.WriteOptions{Representation: music.Groove})
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	if err := npy.WriteFile(filepath.Join(dir, "w.npy"), &npy.Array{Shape: []int{1, 64, 27}, Data: win}); err != nil {
		return err
	}
	return npy.WriteFile(filepath.Join(dir, "z.npy"), &npy.Array{Shape: []int{1, 64}, Data: make([]float32, 64)})
}

// outputCases name an input (or a folder) as an output: each must be refused
// with one line naming the file, and leave every input as it was. "DIR/" is
// the case's folder; file is the name the message must hold.
var outputCases = []struct {
	name string
	args []string
	file string
	want []string
}{
	{"encode-over-input", []string{"encode", "DIR/a.mid", "DIR/b.mid", "-o", "DIR/b.mid"}, "b.mid", []string{"input"}},
	{"encode-over-input-other-name", []string{"encode", "DIR/a.mid", "DIR/b.mid", "-o", "DIR/./b.mid"}, "b.mid", []string{"input"}},
	{"encode-over-input-link", []string{"encode", "DIR/a.mid", "-o", "DIR/link.mid"}, "link.mid", []string{"input"}},
	{"data-show-over-input", []string{"data", "show", "DIR/a.mid", "-o", "DIR/a.mid"}, "a.mid", []string{"input"}},
	{"data-build-over-folder-input", []string{"data", "build", "DIR/", "-o", "DIR/a.mid"}, "a.mid", []string{"input"}},
	{"decode-tensors-over-z", []string{"decode", "--z", "DIR/z.npy", "--tensors", "DIR/z.npy"}, "z.npy", []string{"input"}},
	{"decode-folder-holds-z", []string{"decode", "--z", "DIR/out/decode_t0_seed0_000.mid", "--temperature", "0", "--seed", "0", "-o", "DIR/out", "--force"}, "decode_t0_seed0_000.mid", []string{"input"}},
	{"attribute-over-input", []string{"attribute", "--with", "DIR/a.mid", "--without", "DIR/b.mid", "-o", "DIR/a.mid"}, "a.mid", []string{"input"}},
	{"attribute-output-is-a-folder", []string{"attribute", "--with", "DIR/a.mid", "--without", "DIR/b.mid", "-o", "DIR/"}, "vec.npy", []string{"folder"}},
	{"forward-over-x", []string{"forward", "--x", "DIR/w.npy", "--eps", "DIR/z.npy", "-o", "DIR/w.npy"}, "w.npy", []string{"input"}},
	{"loss-grads-over-eps", []string{"loss", "--x", "DIR/w.npy", "--eps", "DIR/z.npy", "--grads", "DIR/z.npy"}, "z.npy", []string{"input"}},
	{"finetune-checkpoint-over-data", []string{"finetune", "--data", "DIR/w.npy", "-o", "DIR/n.mvae", "--checkpoint", "DIR/w.npy"}, "w.npy", []string{"input"}},
	{"finetune-output-over-midi", []string{"finetune", "DIR/", "-o", "DIR/b.mid"}, "b.mid", []string{"input"}},
	{"export-over-model", []string{"export", "--model", "DIR/w.npy", "-o", "DIR/w.npy"}, "w.npy", []string{"input"}},
	{"import-over-source", []string{"import", "DIR/a.mid", "-o", "DIR/a.mid"}, "a.mid", []string{"input"}},
	{"output-is-a-folder", []string{"data", "show", "DIR/a.mid", "-o", "DIR/out"}, "out", []string{"is a folder"}},
	{"tensors-is-a-folder", []string{"generate", "-n", "1", "--tensors", "DIR/out"}, "out", []string{"is a folder"}},
	{"midi-folder-is-a-file", []string{"generate", "-n", "1", "-o", "DIR/a.mid"}, "a.mid", []string{"is a file"}},
	{"output-is-a-device", []string{"data", "show", "DIR/a.mid", "-o", "/dev/null"}, "null", []string{"not a regular file"}},
	{"two-outputs-one-file", []string{"export", "-o", "DIR/m.onnx", "--pt", "DIR/m.onnx"}, "m.onnx", []string{"both name"}},
}

func init() {
	for _, c := range outputCases {
		c := c
		Register(Case{
			Name: "outputs/" + c.name,
			Make: func(dir string) ([]string, string, error) {
				if err := writeFlagCaseInputs(dir); err != nil {
					return nil, "", err
				}
				out := filepath.Join(dir, "out")
				if err := os.Mkdir(out, 0o755); err != nil {
					return nil, "", err
				}
				z, err := os.ReadFile(filepath.Join(dir, "z.npy"))
				if err != nil {
					return nil, "", err
				}
				if err := os.WriteFile(filepath.Join(out, "decode_t0_seed0_000.mid"), z, 0o644); err != nil {
					return nil, "", err
				}
				if err := os.Symlink("a.mid", filepath.Join(dir, "link.mid")); err != nil {
					return nil, "", err
				}
				return expandDir(dir, c.args), c.file, nil
			},
			Want: c.want,
		})
	}
}
