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
	"github.com/musicvae-go/mvae/music"
	"github.com/musicvae-go/mvae/musicvae"
	"github.com/musicvae-go/mvae/npy"
)

func runFlags(extra ...ucli.Flag) []ucli.Flag {
	return append([]ucli.Flag{modelFlag, runtimeFlag, threadsFlag}, extra...)
}

var genFlags = []ucli.Flag{
	&ucli.Float64Flag{Name: "temperature", Aliases: []string{"t"}, Value: 0.5, Usage: "sampling temperature (0: greedy)"},
	&ucli.Uint64Flag{Name: "seed", Usage: "random seed: sequence i draws from SplitMix64(seed + i)", DefaultText: "a random seed, printed so that the run can be repeated"},
	&ucli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write MIDI files into `DIR`"},
	&ucli.StringFlag{Name: "tensors", Usage: "write z [B,Z] and tokens [B,T,D] to `OUT.npz`"},
	bpmFlag, loopFlag, quantizeFlag, programFlag,
	forceFlag, jsonFlag,
}

// shiftFlags apply an attribute vector (mvae attribute) to every z decoded.
var shiftFlags = []ucli.Flag{
	&ucli.StringFlag{Name: "shift", Usage: "add an attribute vector `VEC.npy` (mvae attribute) to every z before decoding"},
	&ucli.Float64Flag{Name: "amount", Value: 1, Usage: "how much of --shift to add (any finite number; negative: away from the attribute)"},
}

// windowFlag picks the window of an input file.
var windowFlag = &ucli.IntFlag{Name: "window", Usage: "which window of each file (0: the first; a window is the model's bars from a bar line)"}

func genCommandFlags(extra ...ucli.Flag) []ucli.Flag {
	return runFlags(append(extra, genFlags...)...)
}

func runCommands() []*ucli.Command {
	return []*ucli.Command{
		{
			Name:   "forward",
			Usage:  "run the teacher-forced forward (spec §2) on tensors: logits, mu, sigma",
			Flags:  runFlags(&ucli.StringFlag{Name: "x", Usage: "`X.npy` [B,T,D]", Required: true}, &ucli.StringFlag{Name: "eps", Usage: "`E.npy` [B,Z]", Required: true}, &ucli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "`OUT.npz` (logits, mu, sigma)", Required: true}, jsonFlag),
			Action: runForward,
		},
		{
			Name:      "encode",
			Usage:     "encode MIDI files (all their windows) or tensors to mu and sigma",
			ArgsUsage: "[FILE.mid...]",
			Flags:     runFlags(&ucli.StringFlag{Name: "x", Usage: "encode `X.npy` [B,T,D] instead of MIDI files"}, &ucli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "`OUT.npz` (mu, sigma; for MIDI also file and window)", Required: true}, refineFlag, strictFlag, jsonFlag),
			Action:    runEncode,
		},
		{
			Name:   "decode",
			Usage:  "decode latent vectors z into MIDI files and tokens",
			Flags:  genCommandFlags(append([]ucli.Flag{&ucli.StringFlag{Name: "z", Usage: "`Z.npy` [B,Z] (or an .npz with an array z or mu)", Required: true}}, shiftFlags...)...),
			Action: runDecode,
		},
		{
			Name:   "generate",
			Usage:  "sample new sequences from the prior and write them as MIDI",
			Flags:  genCommandFlags(&ucli.IntFlag{Name: "n", Value: 4, Usage: "how many sequences (1 to 100000)"}),
			Action: runGenerate,
		},
		{
			Name:  "interpolate",
			Usage: "interpolate in latent space between two MIDI files, or across four (a grid)",
			Description: "With two files A and B, --steps sequences go from A to B (both included), along\n" +
				"--mode. With four files, the sequences fill a --steps × --steps grid, bilinear as\n" +
				"magenta.js's interpolate: the files are its corners top-left, bottom-left,\n" +
				"top-right, bottom-right, and the files are named by row and column.",
			ArgsUsage: "A.mid B.mid [C.mid D.mid]",
			Flags: genCommandFlags(append([]ucli.Flag{
				&ucli.IntFlag{Name: "steps", Value: 7, Usage: "sequences from A to B, both ends included (2 to 1000; with four files, the grid's side, at most 316)"},
				&ucli.StringFlag{Name: "mode", Value: "slerp", Usage: "slerp or lerp (two files; four are always bilinear)"},
				&ucli.BoolFlag{Name: "concat", Usage: "also write the whole path (the grid row by row) as one MIDI file"},
				windowFlag, refineFlag,
				plotFlag("the whole path (the grid row by row), one panel per sequence,"),
			}, shiftFlags...)...),
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
	if err := npy.WriteNPZFile(out, []string{"logits", "mu", "sigma"}, map[string]*npy.Array{
		"logits": {Shape: []int{B, cfg.T(), cfg.InputSize}, Data: logits},
		"mu":     {Shape: []int{B, cfg.ZSize}, Data: mu},
		"sigma":  {Shape: []int{B, cfg.ZSize}, Data: sigma},
	}); err != nil {
		return err
	}
	if c.Bool("json") {
		return writeJSON(c.App.Writer, map[string]any{"output": out, "batch": B})
	}
	return nil
}

func floats(v []int) *npy.Array {
	a := npy.New(len(v))
	for i, x := range v {
		a.Data[i] = float32(x)
	}
	return a
}

func runEncode(c *ucli.Context) error {
	m, err := openModel(c)
	if err != nil {
		return err
	}
	defer m.Close()
	cfg := m.Config()
	arrays := map[string]*npy.Array{}
	names := []string{"mu", "sigma"}
	var x []float32
	var B int
	var used []string
	switch {
	case c.String("x") != "" && c.NArg() > 0:
		return fmt.Errorf("give MIDI files or --x, not both")
	case c.String("x") != "":
		t, err := cfg.ReadX(c.String("x"))
		if err != nil {
			return err
		}
		x, B = t.Data, t.Shape[0]
	case c.NArg() > 0:
		fw, err := m.ReadMIDIFiles(c.Args().Slice(), c.Bool("strict"), func(err error) { logf("skip %v", err) })
		if err != nil {
			return err
		}
		x, B, used = fw.Data, fw.N, fw.Files
		arrays["file"], arrays["window"] = floats(fw.File), floats(fw.Index)
		if arrays["bpm"], err = windowBPMs(fw); err != nil {
			return err
		}
		names = append(names, "file", "window", "bpm")
	default:
		return fmt.Errorf("encode needs MIDI files or --x X.npy")
	}
	mu, sigma, err := m.Encode(x, B)
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

// decodeOptions are the temperature, the seed (a random one, printed, when
// --seed is not given), the attribute vector of --shift and the progress.
func decodeOptions(c *ucli.Context, m *musicvae.Model) (musicvae.Options, error) {
	o := musicvae.Options{Temperature: c.Float64("temperature"), Seed: c.Uint64("seed")}
	if !c.IsSet("seed") {
		o.Seed = musicvae.NewSeed()
		logf("seed %d (give --seed %d to repeat this run)", o.Seed, o.Seed)
	}
	if p := c.String("shift"); flagNamed(c.Command.Flags, "shift") != nil && p != "" {
		v, err := m.Config().ReadLatents(p)
		if err != nil {
			return o, err
		}
		if v.Shape[0] != 1 {
			return o, fmt.Errorf("--shift %s holds %d vectors; want one attribute vector [%d] (mvae attribute)", p, v.Shape[0], m.Config().ZSize)
		}
		o.Attribute, o.Amount = v.Data, c.Float64("amount")
	} else if c.IsSet("amount") {
		return o, fmt.Errorf("--amount needs --shift VEC.npy")
	}
	p := newProgress("decoding")
	o.Progress = func(t, total int) { p.update(t, total, "steps") }
	return o, nil
}

// writeResults writes --tensors and the MIDI files of -o: one a sequence,
// named by names (none for names nil), and with concat also the whole of
// them as one file (midiOptions: tempo, loop, quantize, program). -o -
// streams the one file there is to stdout. With --json, it prints the seed
// and what it wrote.
func writeResults(c *ucli.Context, m *musicvae.Model, s *musicvae.Sequences, seed uint64, names func(i int) string, concat string) error {
	T := s.T // the steps of each file
	if names == nil {
		T = s.N * s.T
	}
	if p := c.String("tensors"); p != "" {
		if err := npy.WriteNPZFile(p, []string{"z", "tokens"}, map[string]*npy.Array{
			"z":      {Shape: []int{s.N, s.ZSize}, Data: s.Z},
			"tokens": {Shape: []int{s.N, s.T, s.D}, Data: s.Tokens},
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
		return writeMIDIReport(c, nil, music.WriteOptions{}, T, seed)
	}
	wo, err := midiOptions(c, m.Config(), c.Args().Slice())
	if err != nil {
		return err
	}
	if dir == stdoutName {
		if err := checkStdout(c, outputCount(s.N, names != nil, concat != "")); err != nil {
			return err
		}
		if names == nil {
			wo.Name = concat
			return m.WriteMIDI(c.App.Writer, s.Concat(), wo)
		}
		wo.Name = names(0)
		return m.WriteMIDI(c.App.Writer, s.Sequence(0), wo)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var files []string
	write := func(name string, tokens []float32) error {
		p := filepath.Join(dir, name+".mid")
		err := fsutil.CreateNew(p, c.Bool("force"), func(w io.Writer) error {
			o := wo
			o.Name = name
			return m.WriteMIDI(w, tokens, o)
		})
		if err == nil {
			files = append(files, p)
		}
		return err
	}
	failed := 0
	var first error
	fail := func(err error) {
		logf("%v", err)
		if first == nil {
			first = err
		}
		failed++
	}
	for i := 0; i < s.N && names != nil; i++ {
		if err := write(names(i), s.Sequence(i)); err != nil {
			fail(err)
		}
	}
	if concat != "" {
		if err := write(concat, s.Concat()); err != nil {
			fail(err)
		} else if names != nil {
			logf("%s.mid holds all %d sequences, one after the other", concat, s.N)
		}
	}
	logf("wrote %d MIDI file(s) to %s", len(files), dir)
	if first != nil {
		return fmt.Errorf("%d file(s) not written, first: %w", failed, first)
	}
	return writeMIDIReport(c, files, wo, T, seed)
}

// outputCount is how many MIDI files writeResults writes for n sequences:
// one each (each), and one of them all (concat).
func outputCount(n int, each, concat bool) int {
	k := 0
	if each {
		k = n
	}
	if concat {
		k++
	}
	return k
}

func runDecode(c *ucli.Context) error {
	m, err := decoderModel(c)
	if err != nil {
		return err
	}
	defer m.Close()
	z, err := m.Config().ReadLatents(c.String("z"))
	if err != nil {
		return err
	}
	if err := checkMIDIOptions(c, m.Config(), z.Shape[0]); err != nil {
		return err
	}
	o, err := decodeOptions(c, m)
	if err != nil {
		return err
	}
	s, err := m.Decode(z.Data, o)
	if err != nil {
		return err
	}
	return writeResults(c, m, s, o.Seed, func(i int) string {
		return fmt.Sprintf("decode_t%g_seed%d_%03d", o.Temperature, o.Seed, i)
	}, "")
}

func runGenerate(c *ucli.Context) error {
	n := c.Int("n")
	if n < 1 || n > MaxGenerate {
		return fmt.Errorf("-n must be between 1 and %d, got %d", MaxGenerate, n)
	}
	m, err := decoderModel(c)
	if err != nil {
		return err
	}
	defer m.Close()
	if err := checkMIDIOptions(c, m.Config(), n); err != nil {
		return err
	}
	o, err := decodeOptions(c, m)
	if err != nil {
		return err
	}
	s, err := m.Sample(n, o)
	if err != nil {
		return err
	}
	return writeResults(c, m, s, o.Seed, func(i int) string {
		return fmt.Sprintf("sample_t%g_seed%d_%03d", o.Temperature, o.Seed, i)
	}, "")
}

// stem is a file's name without folder and extension.
func stem(p string) string { return strings.TrimSuffix(filepath.Base(p), filepath.Ext(p)) }

// fileWindow reads window --window of a MIDI file.
func fileWindow(c *ucli.Context, m *musicvae.Model, f string) ([]float32, error) {
	w, err := m.ReadMIDI(f)
	if err != nil {
		return nil, err
	}
	k := c.Int("window")
	if k < 0 || k >= w.N {
		return nil, fmt.Errorf("%s: --window %d, but the file has %d window(s)", f, k, w.N)
	}
	return w.Window(k), nil
}

// maxGridSide is the largest --steps of a four-corner grid (its
// sequences, steps², stay under MaxGenerate).
const maxGridSide = 316

func runInterpolate(c *ucli.Context) error {
	files := c.Args().Slice()
	if len(files) != 2 && len(files) != 4 {
		return fmt.Errorf("interpolate takes two MIDI files (a path) or four (a grid), got %d", len(files))
	}
	steps := c.Int("steps")
	mode := musicvae.Mode(c.String("mode"))
	if mode != musicvae.Slerp && mode != musicvae.Lerp {
		return fmt.Errorf("unknown --mode %q (want slerp or lerp)", mode)
	}
	if len(files) == 4 {
		if steps > maxGridSide {
			return fmt.Errorf("--steps %d with four files makes a %d×%d grid; at most %d a side", steps, steps, steps, maxGridSide)
		}
		if c.IsSet("mode") {
			return fmt.Errorf("--mode is for two files: four corners are always interpolated bilinearly (as magenta.js does)")
		}
	}
	m, err := openModel(c)
	if err != nil {
		return err
	}
	defer m.Close()
	n := steps
	if len(files) == 4 {
		n = steps * steps
	}
	if err := checkMIDIOptions(c, m.Config(), outputCount(n, true, c.Bool("concat"))); err != nil {
		return err
	}
	seqs := make([][]float32, len(files))
	for i, f := range files {
		if seqs[i], err = fileWindow(c, m, f); err != nil {
			return err
		}
	}
	o, err := decodeOptions(c, m)
	if err != nil {
		return err
	}
	s, err := m.Interpolate(seqs, steps, mode, o)
	if err != nil {
		return err
	}
	var names func(int) string
	var whole string
	if len(files) == 2 {
		base := fmt.Sprintf("interp_%s_to_%s_%s", stem(files[0]), stem(files[1]), mode)
		names = func(i int) string { return fmt.Sprintf("%s_%02d", base, i) }
		whole = base + "_all"
	} else {
		base := fmt.Sprintf("grid_%s_%s_%s_%s", stem(files[0]), stem(files[1]), stem(files[2]), stem(files[3]))
		names = func(i int) string { return fmt.Sprintf("%s_r%02d_c%02d", base, i/steps, i%steps) }
		whole = base + "_all"
	}
	if !c.Bool("concat") {
		whole = ""
	}
	if err := writeResults(c, m, s, o.Seed, names, whole); err != nil {
		return err
	}
	wo, err := midiOptions(c, m.Config(), files)
	if err != nil {
		return err
	}
	return plotTokens(c, wo, s.Tokens, s.N, names)
}
