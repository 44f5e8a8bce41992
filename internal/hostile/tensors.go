package hostile

import (
	"math"
	"math/rand/v2"
	"path/filepath"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/model/defaultmodel"
	"github.com/musicvae-go/mvae/npy"
)

// The tensor cases run the embedded default model (no --model) on input
// tensors that hold NaN or infinity, or no rows at all: each must be refused
// with an error that names the file, before any work is done.

// defaultConfig is the config of the embedded model the cases run.
func defaultConfig() (*model.Config, error) {
	b, err := defaultmodel.Bundle()
	if err != nil {
		return nil, err
	}
	return b.Config(), nil
}

// windows returns n valid windows of the model's representation [n, T, D].
func windows(c *model.Config, n int) *npy.Array {
	rng := rand.New(rand.NewPCG(7, uint64(n)))
	return &npy.Array{Shape: []int{n, c.T(), c.InputSize}, Data: generate.RandomWindows(c, n, rng)}
}

// poison sets one value of a to v: a velocity of the last window's last step
// for groove windows (where NaN became velocity 1 on rendering).
func poison(c *model.Config, a *npy.Array, v float32) *npy.Array {
	a.Data[len(a.Data)-c.InputSize/3*2+1] = v
	return a
}

// writeArrays writes one .npy (one array named "") or a .npz.
func writeArrays(dir, name string, arrays map[string]*npy.Array) (string, error) {
	p := filepath.Join(dir, name)
	if a, ok := arrays[""]; ok {
		return p, npy.WriteFile(p, a)
	}
	return p, npy.WriteNPZFile(p, npy.Names(arrays), arrays)
}

// tensorCase registers a case whose files are x.npy (or the one named by
// bad) and eps.npy for the default model; args get the paths by name.
type tensorCase struct {
	name string
	x    func(c *model.Config) *npy.Array // x [B, T, D] (z [B, Z] with file z.npy)
	file string                           // the name of x's file; "": x.npy
	eps  func(c *model.Config) *npy.Array // eps [B, Z]; nil: none
	args func(dir, x, eps string) []string
	bad  string // "x" or "eps": the file the error must name
	want []string
}

func (tc tensorCase) register() {
	Register(Case{
		Name: "tensors/" + tc.name,
		Make: func(dir string) ([]string, string, error) {
			c, err := defaultConfig()
			if err != nil {
				return nil, "", err
			}
			file := tc.file
			if file == "" {
				file = "x.npy"
			}
			x, err := writeArrays(dir, file, map[string]*npy.Array{"": tc.x(c)})
			if err != nil {
				return nil, "", err
			}
			eps := ""
			if tc.eps != nil {
				if eps, err = writeArrays(dir, "eps.npy", map[string]*npy.Array{"": tc.eps(c)}); err != nil {
					return nil, "", err
				}
			}
			bad := x
			if tc.bad == "eps" {
				bad = eps
			}
			return tc.args(dir, x, eps), bad, nil
		},
		Want: tc.want,
	})
}

func noise(c *model.Config, B int) *npy.Array { return npy.New(B, c.ZSize) }

func init() {
	nan, inf := nan, float32(math.Inf(1))
	forward := func(dir, x, eps string) []string {
		return []string{"forward", "--x", x, "--eps", eps, "-o", filepath.Join(dir, "out.npz")}
	}
	loss := func(dir, x, eps string) []string { return []string{"loss", "--x", x, "--eps", eps} }
	encode := func(dir, x, eps string) []string {
		return []string{"encode", "--x", x, "-o", filepath.Join(dir, "out.npz")}
	}
	for _, tc := range []tensorCase{
		{name: "forward-x-nan", x: func(c *model.Config) *npy.Array { return poison(c, windows(c, 2), nan) },
			eps: func(c *model.Config) *npy.Array { return noise(c, 2) }, args: forward, bad: "x", want: []string{"NaN"}},
		{name: "forward-x-empty", x: func(c *model.Config) *npy.Array { return windows(c, 0) },
			eps: func(c *model.Config) *npy.Array { return noise(c, 0) }, args: forward, bad: "x", want: []string{"empty batch"}},
		{name: "forward-eps-empty", x: func(c *model.Config) *npy.Array { return windows(c, 2) },
			eps: func(c *model.Config) *npy.Array { return noise(c, 0) }, args: forward, bad: "eps", want: []string{"shape [0"}},
		{name: "forward-eps-inf", x: func(c *model.Config) *npy.Array { return windows(c, 2) },
			eps: func(c *model.Config) *npy.Array { a := noise(c, 2); a.Data[3] = inf; return a }, args: forward, bad: "eps", want: []string{"+Inf"}},
		{name: "loss-x-empty", x: func(c *model.Config) *npy.Array { return windows(c, 0) },
			eps: func(c *model.Config) *npy.Array { return noise(c, 0) }, args: loss, bad: "x", want: []string{"empty batch"}},
		{name: "loss-x-nan", x: func(c *model.Config) *npy.Array { return poison(c, windows(c, 2), nan) },
			eps: func(c *model.Config) *npy.Array { return noise(c, 2) }, args: loss, bad: "x", want: []string{"NaN"}},
		{name: "encode-x-empty", x: func(c *model.Config) *npy.Array { return windows(c, 0) }, args: encode, bad: "x", want: []string{"empty batch"}},
		{name: "encode-x-nan", x: func(c *model.Config) *npy.Array { return poison(c, windows(c, 1), nan) }, args: encode, bad: "x", want: []string{"NaN"}},
		{name: "decode-z-inf", file: "z.npy", x: func(c *model.Config) *npy.Array { a := noise(c, 1); a.Data[0] = inf; return a },
			args: func(dir, z, _ string) []string {
				return []string{"decode", "--z", z, "--tensors", filepath.Join(dir, "t.npz")}
			}, bad: "x", want: []string{"+Inf"}},
		{name: "decode-z-empty", file: "z.npy", x: func(c *model.Config) *npy.Array { return noise(c, 0) },
			args: func(dir, z, _ string) []string {
				return []string{"decode", "--z", z, "--tensors", filepath.Join(dir, "t.npz")}
			}, bad: "x", want: []string{"empty batch"}},
		{name: "render-nan", x: func(c *model.Config) *npy.Array { return poison(c, windows(c, 2), nan) },
			args: func(dir, x, _ string) []string {
				return []string{"data", "render", x, "-o", filepath.Join(dir, "midi")}
			}, bad: "x", want: []string{"NaN"}},
		{name: "plot-nan", x: func(c *model.Config) *npy.Array { return poison(c, windows(c, 2), nan) },
			args: func(dir, x, _ string) []string {
				return []string{"plot", x, "-o", filepath.Join(dir, "roll.png")}
			}, bad: "x", want: []string{"NaN"}},
		{name: "render-empty", x: func(c *model.Config) *npy.Array { return windows(c, 0) },
			args: func(dir, x, _ string) []string {
				return []string{"data", "render", x, "-o", filepath.Join(dir, "midi")}
			}, bad: "x", want: []string{"empty batch"}},
	} {
		tc.register()
	}
	// A data build file whose validation windows hold NaN: evaluate and
	// finetune name the file and the array.
	nanData := func(dir string) (string, error) {
		c, err := defaultConfig()
		if err != nil {
			return "", err
		}
		return writeArrays(dir, "data.npz", map[string]*npy.Array{
			"train": windows(c, 4), "validation": poison(c, windows(c, 2), nan), "test": windows(c, 0)})
	}
	Register(Case{
		Name: "tensors/evaluate-data-nan",
		Make: func(dir string) ([]string, string, error) {
			p, err := nanData(dir)
			return []string{"evaluate", "--data", p}, p, err
		},
		Want: []string{"array validation", "NaN"},
	})
	Register(Case{
		Name: "tensors/finetune-data-nan",
		Make: func(dir string) ([]string, string, error) {
			p, err := nanData(dir)
			return []string{"finetune", "--data", p, "-o", filepath.Join(dir, "new.mvae"), "--steps", "1", "--batch", "2"}, p, err
		},
		Want: []string{"array validation", "NaN"},
	})
}
