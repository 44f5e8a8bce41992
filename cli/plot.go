package cli

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/internal/fsutil"
	"github.com/musicvae-go/mvae/music"
	"github.com/musicvae-go/mvae/npy"
	"github.com/musicvae-go/mvae/plot"
)

// plotFlag draws a command's result as a PNG.
func plotFlag(what string) *ucli.StringFlag {
	return &ucli.StringFlag{Name: "plot", Usage: "draw " + what + " into `PICTURE.png`"}
}

func plotCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "plot",
		Usage:     "draw MIDI files or token tensors as drum grids and piano rolls (PNG)",
		ArgsUsage: "FILE.mid|TOKENS.npz|TOKENS.npy...",
		Description: "One panel per sequence: a MIDI file's drums (one row per drum class) and its other notes\n" +
			"(a piano roll), or each sequence of a tokens array [B,T,D] (the tokens of an .npz that\n" +
			"generate, decode or interpolate wrote with --tensors). A note's shade is its velocity; a\n" +
			"groove's timing offset shifts it off the 16th-note grid. Bar numbers run along the bottom.",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "the `PICTURE.png` to write", Required: true},
			&ucli.IntFlag{Name: "bars", Usage: "draw the first `N` bars of each MIDI file (1 to 64; default: all, up to 64)"},
			&ucli.StringFlag{Name: "drum-map", Value: "gm", Usage: "drum map of MIDI files: gm, roland or magenta"},
			forceFlag, jsonFlag,
		},
		Action: runPlot,
	}
}

func runPlot(c *ucli.Context) error {
	if c.NArg() == 0 {
		return fmt.Errorf("plot needs MIDI files or a tokens .npz/.npy (%s)", helpHint(c))
	}
	m, err := music.DrumMapByName(c.String("drum-map"))
	if err != nil {
		return err
	}
	bars := c.Int("bars")
	if bars == 0 {
		bars = 64
	}
	var rolls []plot.Roll
	for _, p := range c.Args().Slice() {
		var r []plot.Roll
		switch strings.ToLower(filepath.Ext(p)) {
		case ".npz", ".npy":
			r, err = tokenRolls(p, m)
		default:
			var s *music.Song
			if s, err = music.ReadMIDIFile(p); err == nil {
				r = plot.SongRolls(s, filepath.Base(p), m, bars)
				if len(r) == 0 {
					err = fmt.Errorf("%s: no notes to draw", p)
				}
			}
		}
		if err != nil {
			return err
		}
		rolls = append(rolls, r...)
	}
	return writePlot(c, c.String("output"), rolls)
}

// tokenRolls reads the tokens [B,T,D] (or [T,D]) of an .npz or .npy.
func tokenRolls(path string, m *music.DrumMap) ([]plot.Roll, error) {
	a, _, err := npy.ReadArrayFile(path, "tokens", "")
	if err != nil {
		return nil, err
	}
	if err := a.CheckFinite(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(a.Shape) == 2 {
		a.Shape = []int{1, a.Shape[0], a.Shape[1]}
	}
	if len(a.Shape) != 3 || a.Shape[0] < 1 || a.Shape[1] < 1 {
		return nil, fmt.Errorf("%s: tokens of shape %v; want [B,T,D]", path, a.Shape)
	}
	rep, err := music.RepresentationForDepth(a.Shape[2])
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	B, T, D := a.Shape[0], a.Shape[1], a.Shape[2]
	if B > plot.MaxPanels {
		return nil, fmt.Errorf("%s: %d sequences; one picture holds at most %d", path, B, plot.MaxPanels)
	}
	o := music.WriteOptions{Representation: rep, DrumMap: m}
	var rolls []plot.Roll
	for i := 0; i < B; i++ {
		r, err := plot.WindowRolls(a.Data[i*T*D:(i+1)*T*D], o, fmt.Sprintf("%s #%d", filepath.Base(path), i))
		if err != nil {
			return nil, err
		}
		rolls = append(rolls, r...)
	}
	return rolls, nil
}

// writePlot writes the rolls as a PNG to path (replacing it only with --force).
func writePlot(c *ucli.Context, path string, rolls []plot.Roll) error {
	if len(rolls) > plot.MaxPanels {
		return fmt.Errorf("%d panels; one picture holds at most %d", len(rolls), plot.MaxPanels)
	}
	err := fsutil.CreateNew(path, c.Bool("force"), func(w io.Writer) error { return plot.Rolls(w, rolls) })
	if err != nil {
		return err
	}
	logf("wrote %s (%d panel(s))", path, len(rolls))
	if c.Command.Name == "plot" && c.Bool("json") {
		return writeJSON(c.App.Writer, map[string]any{"output": path, "panels": len(rolls)})
	}
	return nil
}

// plotTokens draws B generated sequences into --plot, when given.
func plotTokens(c *ucli.Context, wo music.WriteOptions, tokens []float32, B int, names func(int) string) error {
	p := c.String("plot")
	if p == "" {
		return nil
	}
	n := len(tokens) / B
	var rolls []plot.Roll
	for i := 0; i < B; i++ {
		r, err := plot.WindowRolls(tokens[i*n:(i+1)*n], wo, names(i))
		if err != nil {
			return err
		}
		rolls = append(rolls, r...)
	}
	return writePlot(c, p, rolls)
}

// plotQuality draws evaluate's per-instrument F1 into --plot, when given.
func plotQuality(c *ucli.Context, q *generate.Quality) error {
	p := c.String("plot")
	if p == "" {
		return nil
	}
	var names []string
	var f1 []float64
	for _, k := range q.PerClass {
		names = append(names, k.Name)
		f1 = append(f1, k.F1)
	}
	if len(names) == 0 {
		return fmt.Errorf("--plot: no instrument to draw")
	}
	title := fmt.Sprintf("greedy reconstruction of %d windows: hit F1 %.3f", q.Windows, q.HitF1)
	err := fsutil.CreateNew(p, c.Bool("force"), func(w io.Writer) error { return plot.Bars(w, title, "F1", names, f1) })
	if err != nil {
		return err
	}
	logf("wrote %s", p)
	return nil
}
