package cli

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/music"
	"github.com/musicvae-go/mvae/npy"
	"github.com/musicvae-go/mvae/runtime"
)

// mids lists the MIDI files in dir.
func mids(t *testing.T, dir string) []string {
	t.Helper()
	fs, _ := filepath.Glob(filepath.Join(dir, "*.mid"))
	return fs
}

func tensors(t *testing.T, path string) (z, tokens *npy.Array) {
	t.Helper()
	a, err := npy.ReadNPZFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return a["z"], a["tokens"]
}

// TestOperationsDefaultModel runs every operation on the embedded groove
// model, as the README shows them.
func TestOperationsDefaultModel(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	os.Mkdir(in, 0o755)
	if _, err := run(t, "generate", "-n", "4", "--seed", "1", "-t", "0.8", "-o", in); err != nil {
		t.Fatal(err)
	}
	src := mids(t, in)
	if len(src) != 4 {
		t.Fatalf("%d inputs", len(src))
	}
	quant := filepath.Join(dir, "quantised.mid")
	writeGroove(t, quant, 4, 100)

	// similar: -n files; at similarity 1 every z is the file's mu.
	out := filepath.Join(dir, "similar")
	js, err := run(t, "similar", src[0], "-s", "1", "-n", "3", "--seed", "4", "-o", out, "--tensors", filepath.Join(dir, "s.npz"), "--json")
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Seed  uint64
		Files []string
	}
	if err := json.Unmarshal([]byte(js), &res); err != nil || res.Seed != 4 || len(res.Files) != 3 {
		t.Fatalf("similar --json: %v %s", err, js)
	}
	if n := len(mids(t, out)); n != 3 {
		t.Fatalf("similar wrote %d files", n)
	}
	if _, err := run(t, "encode", src[0], "-o", filepath.Join(dir, "e.npz")); err != nil {
		t.Fatal(err)
	}
	e, _ := npy.ReadNPZFile(filepath.Join(dir, "e.npz"))
	z, _ := tensors(t, filepath.Join(dir, "s.npz"))
	for k := 0; k < 64; k++ {
		if z.Data[64+k] != e["mu"].Data[k] {
			t.Fatal("similar at 1: z is not the file's mu")
		}
	}

	// Two files: a path and --concat; four: a grid.
	out = filepath.Join(dir, "path")
	if _, err := run(t, "interpolate", src[0], src[1], "--steps", "3", "--concat", "--seed", "1", "-o", out); err != nil {
		t.Fatal(err)
	}
	if fs := mids(t, out); len(fs) != 4 || !slices.ContainsFunc(fs, func(f string) bool { return strings.HasSuffix(f, "_all.mid") }) {
		t.Fatalf("interpolate --concat wrote %v", fs)
	}
	all := slices.IndexFunc(mids(t, out), func(f string) bool { return strings.HasSuffix(f, "_all.mid") })
	s, err := music.ReadMIDIFile(mids(t, out)[all])
	if err != nil {
		t.Fatal(err)
	}
	if w, err := music.SongWindows(s, music.Options{Representation: music.Groove, Bars: 4, Channel: -1}); err != nil || w.N < 7 {
		t.Fatalf("the concatenated path (12 bars) reads as %v windows: %v", w, err)
	}
	out = filepath.Join(dir, "grid")
	if _, err := run(t, "interpolate", src[0], src[1], src[2], src[3], "--steps", "3", "--seed", "1", "-o", out); err != nil {
		t.Fatal(err)
	}
	if fs := mids(t, out); len(fs) != 9 || !strings.Contains(fs[5], "_r01_c02") {
		t.Fatalf("the grid: %v", fs)
	}
	if _, err := run(t, "interpolate", src[0], src[1], src[2], "-o", out); err == nil {
		t.Error("three files: no error")
	}
	if _, err := run(t, "interpolate", src[0], src[1], src[2], src[3], "--mode", "slerp", "-o", out); err == nil {
		t.Error("--mode with four files: no error")
	}

	// An attribute vector, applied by decode, similar and interpolate.
	without := filepath.Join(dir, "without")
	os.Mkdir(without, 0o755)
	writeGroove(t, filepath.Join(without, "plain.mid"), 4, 60)
	vec := filepath.Join(dir, "vec.npy")
	js, err = run(t, "attribute", "--with", in, "--without", without, "-o", vec, "--json")
	if err != nil || !strings.Contains(js, `"with_windows": 4`) {
		t.Fatalf("attribute: %v %s", err, js)
	}
	zf := filepath.Join(dir, "e.npz")
	for _, args := range [][]string{
		{"decode", "--z", zf, "--shift", vec, "--amount", "2", "--seed", "1", "--tensors", filepath.Join(dir, "d.npz")},
		{"similar", src[0], "--shift", vec, "--amount", "-1", "-o", filepath.Join(dir, "ss")},
		{"interpolate", src[0], src[1], "--shift", vec, "-o", filepath.Join(dir, "is")},
	} {
		if _, err := run(t, args...); err != nil {
			t.Fatalf("%s: %v", args[0], err)
		}
	}
	v, _ := npy.ReadFile(vec)
	z, _ = tensors(t, filepath.Join(dir, "d.npz"))
	for k := 0; k < 64; k++ {
		if d := float64(z.Data[k]) - float64(e["mu"].Data[k]) - 2*float64(v.Data[k]); math.Abs(d) > 1e-5 {
			t.Fatal("decode --shift --amount 2: z is not mu + 2v")
		}
	}
	if _, err := run(t, "decode", "--z", zf, "--amount", "2", "-o", dir); err == nil {
		t.Error("--amount without --shift: no error")
	}
	two := filepath.Join(dir, "two.npy")
	npy.WriteFile(two, &npy.Array{Shape: []int{2, 64}, Data: make([]float32, 128)})
	if _, err := run(t, "decode", "--z", zf, "--shift", two, "-o", dir); err == nil {
		t.Error("--shift of several vectors: no error")
	}

	// humanize and tap: one file each, at the input's tempo; -o - streams it.
	slow := filepath.Join(dir, "slow")
	if _, err := run(t, "generate", "-n", "1", "--seed", "3", "--bpm", "93", "-o", slow); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"humanize", "tap"} {
		out := filepath.Join(dir, cmd)
		if _, err := run(t, cmd, mids(t, slow)[0], "-o", out, "--seed", "2"); err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		fs := mids(t, out)
		if len(fs) != 1 {
			t.Fatalf("%s wrote %v", cmd, fs)
		}
		if bpm, err := music.FileBPM(fs[0]); err != nil || bpm != 93 {
			t.Errorf("%s: the file's tempo is %v (%v), the input's 93", cmd, bpm, err)
		}
		if got, err := run(t, cmd, quant, "-o", "-", "--seed", "2"); err != nil || !strings.HasPrefix(got, "MThd") {
			t.Errorf("%s -o -: %v", cmd, err)
		}
	}
	if _, err := run(t, "interpolate", src[0], src[1], "--steps", "2", "--concat", "-o", "-"); err == nil {
		t.Error("interpolate --concat -o - (three files): no error")
	}
}

// TestRandomSeedRepeats: without --seed, two runs differ, and the seed in
// the file names (also printed) repeats a run.
func TestRandomSeedRepeats(t *testing.T) {
	dir := t.TempDir()
	gen := func(name string, extra ...string) (string, *npy.Array) {
		out := filepath.Join(dir, name)
		if _, err := run(t, append([]string{"generate", "-n", "1", "-o", out, "--tensors", out + ".npz"}, extra...)...); err != nil {
			t.Fatal(err)
		}
		_, tok := tensors(t, out+".npz")
		return mids(t, out)[0], tok
	}
	f1, a := gen("a")
	_, b := gen("b")
	if slices.Equal(a.Data, b.Data) {
		t.Fatal("two runs without --seed gave the same sequence")
	}
	m := regexp.MustCompile(`_seed(\d+)_`).FindStringSubmatch(f1)
	if m == nil {
		t.Fatalf("no seed in %s", f1)
	}
	_, c := gen("c", "--seed", m[1])
	if !slices.Equal(a.Data, c.Data) {
		t.Error("--seed with the seed of a run does not repeat it")
	}
}

// familyBundle writes a tiny family's bundle (random weights) and an input
// file of its representation.
func familyBundle(t *testing.T, dir, name string, c *model.Config) (bundle string, inputs []string) {
	t.Helper()
	b, err := model.RandomBundle(c, 3)
	if err != nil {
		t.Fatal(err)
	}
	bundle = filepath.Join(dir, name+".mvae")
	if err := model.WriteBundleFile(bundle, b, false); err != nil {
		t.Fatal(err)
	}
	x := generate.RandomWindows(c, 4, rand.New(rand.NewPCG(7, 8)))
	TD := c.T() * c.InputSize
	for i := 0; i < 4; i++ {
		p := filepath.Join(dir, name+string(rune('a'+i))+".mid")
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := music.WindowToMIDI(f, x[i*TD:(i+1)*TD], c.WriteOptions()); err != nil {
			t.Fatal(err)
		}
		f.Close()
		inputs = append(inputs, p)
	}
	return bundle, inputs
}

// TestOperationsEveryFamily runs the new commands on every tiny family, on
// the native runtime and, where onnxruntime is present, on it too: both
// give the same latent vectors.
func TestOperationsEveryFamily(t *testing.T) {
	_, ortErr := runtime.Init("")
	for name, c := range model.TinyFamilies() {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			bundle, in := familyBundle(t, dir, name, c)
			withDir := filepath.Join(dir, "with")
			os.Mkdir(withDir, 0o755)
			os.Link(in[0], filepath.Join(withDir, "x.mid"))
			groove := c.Rep() == music.Groove
			rts := []string{"native"}
			if ortErr == nil {
				rts = append(rts, "ort")
			}
			zs := map[string][]*npy.Array{}
			for _, rt := range rts {
				os.Mkdir(filepath.Join(dir, rt), 0o755)
				vec := filepath.Join(dir, rt, "vec.npy")
				if _, err := run(t, "attribute", "--model", bundle, "--runtime", rt, "--with", withDir, "--without", in[1], "-o", vec); err != nil {
					t.Fatalf("attribute on %s: %v", rt, err)
				}
				v, err := npy.ReadFile(vec)
				if err != nil {
					t.Fatal(err)
				}
				zs[rt] = append(zs[rt], v)
				cases := [][]string{
					{"similar", in[0], "-n", "2", "-s", "0.5", "--shift", vec},
					{"interpolate", in[0], in[1], "--steps", "3", "--concat"},
					{"interpolate", in[0], in[1], in[2], in[3], "--steps", "2", "--shift", vec, "--amount", "0.5"},
					{"humanize", in[0]},
					{"tap", in[0]},
				}
				for i, args := range cases {
					out := filepath.Join(dir, rt, args[0]+string(rune('0'+i)))
					tn := out + ".npz"
					_, err := run(t, append(args, "--model", bundle, "--runtime", rt, "--seed", "5", "-o", out, "--tensors", tn)...)
					if (args[0] == "humanize" || args[0] == "tap") && !groove {
						if err == nil || !strings.Contains(err.Error(), "groove") {
							t.Errorf("%s of a %s model: %v", args[0], c.Rep(), err)
						}
						continue
					}
					if err != nil {
						t.Fatalf("%s on %s: %v", args[0], rt, err)
					}
					if len(mids(t, out)) == 0 {
						t.Fatalf("%s on %s wrote no MIDI file", args[0], rt)
					}
					z, _ := tensors(t, tn)
					zs[rt] = append(zs[rt], z)
				}
			}
			if len(rts) < 2 {
				return
			}
			for i, z := range zs["native"] {
				for k, v := range z.Data {
					if d := math.Abs(float64(v) - float64(zs["ort"][i].Data[k])); d > 1e-4 {
						t.Fatalf("command %d: z[%d] native %v, onnxruntime %v", i, k, v, zs["ort"][i].Data[k])
					}
				}
			}
		})
	}
	if ortErr != nil {
		t.Run("ort", func(t *testing.T) { needORT(t) })
	}
}
