package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/internal/fsutil"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/music"
	"github.com/musicvae-go/mvae/npy"
)

func runFlags(extra ...ucli.Flag) []ucli.Flag {
	return append([]ucli.Flag{modelFlag, runtimeFlag, threadsFlag}, extra...)
}

var genFlags = []ucli.Flag{
	&ucli.Float64Flag{Name: "temperature", Aliases: []string{"t"}, Value: 0.5, Usage: "sampling temperature (0: greedy)"},
	&ucli.Uint64Flag{Name: "seed", Value: 0, Usage: "random seed: sequence i draws from SplitMix64(seed + i)"},
	&ucli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write MIDI files into `DIR`"},
	&ucli.StringFlag{Name: "tensors", Usage: "write z [B,Z] and tokens [B,T,D] to `OUT.npz`"},
	&ucli.Float64Flag{Name: "bpm", Value: 120, Usage: "tempo of the MIDI files (above 0, at most 1000)"},
	forceFlag,
}

func runCommands() []*ucli.Command {
	return []*ucli.Command{
		{
			Name:   "forward",
			Usage:  "run the teacher-forced forward (spec §2) on tensors: logits, mu, sigma",
			Flags:  runFlags(&ucli.StringFlag{Name: "x", Usage: "`X.npy` [B,T,D]", Required: true}, &ucli.StringFlag{Name: "eps", Usage: "`E.npy` [B,Z]", Required: true}, &ucli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "`OUT.npz` (logits, mu, sigma)", Required: true}),
			Action: runForward,
		},
		{
			Name:      "encode",
			Usage:     "encode MIDI files (all their windows) or tensors to mu and sigma",
			ArgsUsage: "[FILE.mid...]",
			Flags:     runFlags(&ucli.StringFlag{Name: "x", Usage: "encode `X.npy` [B,T,D] instead of MIDI files"}, &ucli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "`OUT.npz` (mu, sigma; for MIDI also file and window)", Required: true}, strictFlag, jsonFlag),
			Action:    runEncode,
		},
		{
			Name:   "decode",
			Usage:  "decode latent vectors z into MIDI files and tokens",
			Flags:  runFlags(append([]ucli.Flag{&ucli.StringFlag{Name: "z", Usage: "`Z.npy` [B,Z] (or an .npz with an array z or mu)", Required: true}}, genFlags...)...),
			Action: runDecode,
		},
		{
			Name:   "generate",
			Usage:  "sample new sequences from the prior and write them as MIDI",
			Flags:  runFlags(append([]ucli.Flag{&ucli.IntFlag{Name: "n", Value: 4, Usage: "how many sequences (1 to 100000)"}}, genFlags...)...),
			Action: runGenerate,
		},
		{
			Name:      "interpolate",
			Usage:     "interpolate between two MIDI files in latent space",
			ArgsUsage: "A.mid B.mid",
			Flags: runFlags(append([]ucli.Flag{
				&ucli.IntFlag{Name: "steps", Value: 7, Usage: "sequences from A to B, both ends included (2 to 1000)"},
				&ucli.StringFlag{Name: "mode", Value: "slerp", Usage: "slerp or lerp"},
				&ucli.IntFlag{Name: "window", Usage: "which window of each file (0: the first)"},
			}, genFlags...)...),
			Action: runInterpolate,
		},
	}
}

func runForward(c *ucli.Context) error {
	be, b, err := modelBackend(c)
	if err != nil {
		return err
	}
	defer be.Close()
	cfg := b.Config()
	x, eps, err := cfg.ReadBatch(c.String("x"), c.String("eps"))
	if err != nil {
		return err
	}
	B := x.Shape[0]
	logits, mu, sigma, err := generate.Forward(be, x.Data, eps.Data, B)
	if err != nil {
		return err
	}
	out := c.String("output")
	return npy.WriteNPZFile(out, []string{"logits", "mu", "sigma"}, map[string]*npy.Array{
		"logits": {Shape: []int{B, cfg.T(), cfg.InputSize}, Data: logits},
		"mu":     {Shape: []int{B, cfg.ZSize}, Data: mu},
		"sigma":  {Shape: []int{B, cfg.ZSize}, Data: sigma},
	})
}

func floats(v []int) *npy.Array {
	a := npy.New(len(v))
	for i, x := range v {
		a.Data[i] = float32(x)
	}
	return a
}

func runEncode(c *ucli.Context) error {
	be, b, err := modelBackend(c)
	if err != nil {
		return err
	}
	defer be.Close()
	cfg := b.Config()
	arrays := map[string]*npy.Array{}
	names := []string{"mu", "sigma"}
	var x *npy.Array
	var used []string
	switch {
	case c.String("x") != "" && c.NArg() > 0:
		return fmt.Errorf("give MIDI files or --x, not both")
	case c.String("x") != "":
		if x, err = cfg.ReadX(c.String("x")); err != nil {
			return err
		}
	case c.NArg() > 0:
		fw, err := music.ReadFilesWindows(c.Args().Slice(), cfg.MusicOptions(), c.Bool("strict"), func(err error) { logf("skip %v", err) })
		if err != nil {
			return err
		}
		x, used = &npy.Array{Shape: []int{fw.N, fw.T, fw.D}, Data: fw.Data}, fw.Files
		arrays["file"], arrays["window"] = floats(fw.File), floats(fw.Index)
		names = append(names, "file", "window")
	default:
		return fmt.Errorf("encode needs MIDI files or --x X.npy")
	}
	B := x.Shape[0]
	mu, sigma, err := generate.EncodeTokens(be, x.Data, B)
	if err != nil {
		return err
	}
	arrays["mu"] = &npy.Array{Shape: []int{B, cfg.ZSize}, Data: mu}
	arrays["sigma"] = &npy.Array{Shape: []int{B, cfg.ZSize}, Data: sigma}
	out := c.String("output")
	if err := npy.WriteNPZFile(out, names, arrays); err != nil {
		return err
	}
	if c.Bool("json") {
		return writeJSON(c.App.Writer, map[string]any{"output": out, "windows": B, "files": used})
	}
	logf("wrote %s: mu and sigma of %d windows", out, B)
	for i, f := range used {
		logf("  file %d: %s", i, f)
	}
	return nil
}

// writeResults writes --tensors and the MIDI files of -o.
func writeResults(c *ucli.Context, cfg *model.Config, z, tokens []float32, B int, names func(i int) string) error {
	T, D := cfg.T(), cfg.InputSize
	if p := c.String("tensors"); p != "" {
		if err := npy.WriteNPZFile(p, []string{"z", "tokens"}, map[string]*npy.Array{
			"z":      {Shape: []int{B, cfg.ZSize}, Data: z},
			"tokens": {Shape: []int{B, T, D}, Data: tokens},
		}); err != nil {
			return err
		}
		logf("wrote %s (z, tokens)", p)
	}
	dir := c.String("output")
	if dir == "" {
		if c.String("tensors") == "" {
			logf("nothing written: give -o DIR for MIDI files or --tensors OUT.npz")
		}
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	wo := cfg.WriteOptions()
	wo.BPM = c.Float64("bpm")
	wrote := 0
	var first error
	for i := 0; i < B; i++ {
		p := filepath.Join(dir, names(i)+".mid")
		err := fsutil.CreateNew(p, c.Bool("force"), func(w io.Writer) error {
			o := wo
			o.Name = names(i)
			return music.WindowToMIDI(w, tokens[i*T*D:(i+1)*T*D], o)
		})
		if err != nil {
			logf("%v", err)
			if first == nil {
				first = err
			}
			continue
		}
		wrote++
	}
	logf("wrote %d MIDI file(s) to %s", wrote, dir)
	if first != nil {
		return fmt.Errorf("%d file(s) not written, first: %w", B-wrote, first)
	}
	return nil
}

func genOptions(c *ucli.Context, T int) generate.Options {
	o := generate.Options{Temperature: c.Float64("temperature"), Seed: c.Uint64("seed")}
	p := newProgress("decoding")
	o.Progress = func(t, total int) { p.update(t, total, "steps") }
	return o
}

func runDecode(c *ucli.Context) error {
	be, b, err := decoderBackend(c)
	if err != nil {
		return err
	}
	defer be.Close()
	cfg := b.Config()
	z, err := cfg.ReadLatents(c.String("z"))
	if err != nil {
		return err
	}
	B := z.Shape[0]
	o := genOptions(c, cfg.T())
	tokens, err := generate.Decode(be, z.Data, B, o)
	if err != nil {
		return err
	}
	return writeResults(c, cfg, z.Data, tokens, B, func(i int) string {
		return fmt.Sprintf("decode_t%g_seed%d_%03d", o.Temperature, o.Seed, i)
	})
}

func runGenerate(c *ucli.Context) error {
	n := c.Int("n")
	if n < 1 || n > 100000 {
		return fmt.Errorf("-n must be between 1 and 100000, got %d", n)
	}
	be, b, err := decoderBackend(c)
	if err != nil {
		return err
	}
	defer be.Close()
	cfg := b.Config()
	o := genOptions(c, cfg.T())
	z, tokens, err := generate.Sample(be, n, o)
	if err != nil {
		return err
	}
	return writeResults(c, cfg, z, tokens, n, func(i int) string {
		return fmt.Sprintf("sample_t%g_seed%d_%03d", o.Temperature, o.Seed, i)
	})
}

func runInterpolate(c *ucli.Context) error {
	if c.NArg() != 2 {
		return fmt.Errorf("interpolate takes two MIDI files, got %d", c.NArg())
	}
	be, b, err := modelBackend(c)
	if err != nil {
		return err
	}
	defer be.Close()
	cfg := b.Config()
	k := c.Int("window")
	var zs [2][]float32
	for i, f := range c.Args().Slice() {
		w, err := music.FileWindows(f, cfg.MusicOptions())
		if err != nil {
			return err
		}
		if k < 0 || k >= w.N {
			return fmt.Errorf("%s: --window %d, but the file has %d window(s)", f, k, w.N)
		}
		mu, _, err := generate.EncodeTokens(be, w.Window(k), 1)
		if err != nil {
			return err
		}
		zs[i] = mu
	}
	steps := c.Int("steps")
	z, err := generate.Interpolate(zs[0], zs[1], steps, c.String("mode"))
	if err != nil {
		return err
	}
	o := genOptions(c, cfg.T())
	tokens, err := generate.Decode(be, z, steps, o)
	if err != nil {
		return err
	}
	stem := func(p string) string { return strings.TrimSuffix(filepath.Base(p), filepath.Ext(p)) }
	a, bn := stem(c.Args().Get(0)), stem(c.Args().Get(1))
	return writeResults(c, cfg, z, tokens, steps, func(i int) string {
		return fmt.Sprintf("interp_%s_to_%s_%s_%02d", a, bn, c.String("mode"), i)
	})
}
