package cli

import (
	"fmt"
	"math"

	ucli "github.com/urfave/cli/v2"

	"github.com/musicvae-go/mvae/music"
	"github.com/musicvae-go/mvae/musicvae"
	"github.com/musicvae-go/mvae/npy"
)

// opsCommands are the operations beyond sample, encode, decode and
// interpolate: variations, GrooVAE's humanize and tap, attribute vectors.
func opsCommands() []*ucli.Command {
	return []*ucli.Command{
		{
			Name:  "similar",
			Usage: "make variations of a window of a MIDI file",
			Description: "Each variation decodes z = S·mu + (1−S)·ε, mu the window's latent vector and ε\n" +
				"a normal draw, as magenta.js's similar does: --similarity 1 decodes the window's\n" +
				"own z, 0 samples the prior.",
			ArgsUsage: "FILE.mid",
			Flags: genCommandFlags(append([]ucli.Flag{
				&ucli.Float64Flag{Name: "similarity", Aliases: []string{"s"}, Value: 0.8, Usage: "how close to the input, from 0 (a prior sample) to 1 (the input's z)"},
				&ucli.IntFlag{Name: "n", Value: 4, Usage: "how many variations (1 to 100000)"}, refineFlag,
				windowFlag,
			}, shiftFlags...)...),
			Action: runSimilar,
		},
		{
			Name:      "humanize",
			Usage:     "give quantised drums velocities and micro-timing (GrooVAE's humanize; groove models)",
			ArgsUsage: "FILE.mid",
			Description: "The drum part is cut into consecutive windows of the model's bars from bar 0;\n" +
				"each is encoded and decoded, and the whole is written as one file (a window\n" +
				"without a hit stays silent). A model trained for it (encoder input humanize,\n" +
				"Magenta's groovae_2bar_humanize) reads the hits alone; any other groove model\n" +
				"reads the quantised groove (offsets 0, velocities kept).",
			Flags:  genCommandFlags(),
			Action: runHumanize,
		},
		{
			Name:      "tap",
			Usage:     "turn a tapped rhythm (notes on any channel) into a drum groove (tap2drum; groove models)",
			ArgsUsage: "FILE.mid",
			Description: "Every note of the file is a tap. The taps are cut into consecutive windows of\n" +
				"the model's bars from bar 0, each becomes one hi-hat hit a step with the loudest\n" +
				"tap's timing (GrooVAE's tapify), is encoded and decoded; the whole is written as\n" +
				"one file. Magenta's tap2drum models tapify themselves.",
			Flags:  genCommandFlags(),
			Action: runTap,
		},
		{
			Name:  "attribute",
			Usage: "make an attribute vector: the mean z of the MIDI files --with minus that of --without",
			Description: "Every window of the MIDI files under each folder is encoded; the vector is the\n" +
				"difference of the means of their mu (Roberts et al. 2018 §5.3). Apply it with\n" +
				"--shift VEC.npy --amount A on decode, similar and interpolate.",
			Flags: runFlags(
				&ucli.StringFlag{Name: "with", Usage: "MIDI files with the attribute: a `DIR` (or one file)", Required: true},
				&ucli.StringFlag{Name: "without", Usage: "MIDI files without it: a `DIR` (or one file)", Required: true},
				&ucli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the vector [Z] to `VEC.npy`", Required: true}, refineFlag,
				jsonFlag,
			),
			Action: runAttribute,
		},
	}
}

func runSimilar(c *ucli.Context) error {
	if c.NArg() != 1 {
		return fmt.Errorf("similar takes one MIDI file, got %d", c.NArg())
	}
	m, err := openModel(c)
	if err != nil {
		return err
	}
	defer m.Close()
	if err := checkMIDIOptions(c, m.Config(), c.Int("n")); err != nil {
		return err
	}
	f := c.Args().First()
	x, err := fileWindow(c, m, f)
	if err != nil {
		return err
	}
	o, err := decodeOptions(c, m)
	if err != nil {
		return err
	}
	sim := c.Float64("similarity")
	s, err := m.Similar(x, c.Int("n"), sim, o)
	if err != nil {
		return err
	}
	return writeResults(c, m, s, o.Seed, func(i int) string {
		return fmt.Sprintf("%s_similar_s%g_seed%d_%03d", stem(f), sim, o.Seed, i)
	}, "")
}

// wholeFileCommand runs humanize or tap on the whole of a file and writes
// the result as one MIDI file.
func wholeFileCommand(c *ucli.Context, what string, op func(m *musicvae.Model, path string, o musicvae.Options) (*musicvae.Sequences, error)) error {
	if c.NArg() != 1 {
		return fmt.Errorf("%s takes one MIDI file, got %d", c.Command.Name, c.NArg())
	}
	m, err := openModel(c)
	if err != nil {
		return err
	}
	defer m.Close()
	if err := checkMIDIOptions(c, m.Config(), 1); err != nil {
		return err
	}
	o, err := decodeOptions(c, m)
	if err != nil {
		return err
	}
	f := c.Args().First()
	s, err := op(m, f, o)
	if err != nil {
		return fmt.Errorf("%s: %w", m.Name(), err)
	}
	return writeResults(c, m, s, o.Seed, nil, fmt.Sprintf("%s_%s_seed%d", stem(f), what, o.Seed))
}

func runHumanize(c *ucli.Context) error {
	return wholeFileCommand(c, "humanized", (*musicvae.Model).HumanizeFile)
}

func runTap(c *ucli.Context) error {
	return wholeFileCommand(c, "tapped", (*musicvae.Model).TapFile)
}

func runAttribute(c *ucli.Context) error {
	m, err := openModel(c)
	if err != nil {
		return err
	}
	defer m.Close()
	cfg := m.Config()
	read := func(flag string) (*music.Windows, error) {
		w, _, err := music.GatherWindows([]string{c.String(flag)}, music.BuildOptions{
			Options: cfg.MusicOptions(),
			Warn:    func(format string, args ...any) { logf("--"+flag+": "+format, args...) },
		})
		if err != nil {
			return nil, fmt.Errorf("--%s: %w", flag, err)
		}
		return w, nil
	}
	with, err := read("with")
	if err != nil {
		return err
	}
	without, err := read("without")
	if err != nil {
		return err
	}
	v, err := m.AttributeVector(with.Data, with.N, without.Data, without.N)
	if err != nil {
		return err
	}
	out := c.String("output")
	if err := npy.WriteFile(out, &npy.Array{Shape: []int{cfg.ZSize}, Data: v}); err != nil {
		return err
	}
	var norm float64
	for _, x := range v {
		norm += float64(x) * float64(x)
	}
	norm = math.Sqrt(norm)
	if c.Bool("json") {
		return writeJSON(c.App.Writer, map[string]any{"output": out, "with_windows": with.N, "without_windows": without.N, "norm": norm})
	}
	logf("wrote %s: the mean z of %d window(s) minus that of %d (length %.3g)", out, with.N, without.N, norm)
	return nil
}
