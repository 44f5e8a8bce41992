package cli

import (
	"fmt"
	"os"

	ucli "github.com/urfave/cli/v2"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/music"
)

func evaluateCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "evaluate",
		Usage:     "measure greedy reconstruction, KL and prior samples on held-out windows",
		ArgsUsage: "[DIR|FILE.mid...]",
		Description: "Encodes every window (of the MIDI files under the folders, or of --data) to mu (refined\n" +
			"with --refine), decodes it at temperature 0, and reports hit precision, recall, F1 and per-step\n" +
			"accuracy, the hit F1 teacher-forced (each step's greedy token given the window's own previous\n" +
			"tokens: what greedy decoding loses to its own mistakes is the gap between the two), and the KL\n" +
			"per sequence (of the encoder's posterior). With --train it also samples\n" +
			"the prior (temperature 1) and reports the share of samples whose hit density lies within the\n" +
			"train windows' 5-95 % range.",
		Flags: runFlags(
			&ucli.StringFlag{Name: "data", Usage: "windows to reconstruct: a `DATA.npz` (all its arrays, or those of --arrays) or .npy"},
			&ucli.StringSliceFlag{Name: "arrays", Usage: "the arrays of --data to use (e.g. validation)"},
			&ucli.StringFlag{Name: "train", Usage: "training windows (`TRAIN.npz` or a folder of MIDI) for the density range"},
			&ucli.IntFlag{Name: "samples", Value: 256, Usage: "prior samples (with --train)"},
			&ucli.IntFlag{Name: "batch", Value: 64, Usage: "sequences decoded together"},
			refineFlag, plotFlag("the per-instrument F1 (a bar chart)"), forceFlag,
			jsonFlag, listSkippedFlag),
		Action: runEvaluate,
	}
}

// windowsFrom reads the windows of tensor files and MIDI files and folders.
// A MIDI report lists the first skipped files with their reasons, or all of
// them with listSkipped.
func windowsFrom(cfg *model.Config, paths []string, listSkipped bool, arrays ...string) (*music.Windows, error) {
	prog := newProgress("reading")
	w, rep, err := music.GatherWindows(paths, music.BuildOptions{Options: cfg.MusicOptions(),
		Progress: func(done, total int) { prog.update(done, total, "files") }}, arrays...)
	if rep != nil && rep.Files > 0 {
		printReport(os.Stderr, rep, reportOptions{ListSkipped: listSkipped, Splits: noSplit})
	}
	return w, err
}

func runEvaluate(c *ucli.Context) error {
	m, err := openModel(c)
	if err != nil {
		return err
	}
	defer m.Close()
	cfg := m.Config()
	if c.String("data") == "" && c.NArg() == 0 {
		return fmt.Errorf("evaluate needs windows: MIDI files or folders, or --data DATA.npz")
	}
	paths := c.Args().Slice()
	if d := c.String("data"); d != "" {
		paths = append([]string{d}, paths...)
	}
	x, err := windowsFrom(cfg, paths, c.Bool("list-skipped"), c.StringSlice("arrays")...)
	if err != nil {
		return err
	}
	train := &music.Windows{}
	if t := c.String("train"); t != "" {
		if train, err = windowsFrom(cfg, []string{t}, c.Bool("list-skipped")); err != nil {
			return err
		}
	}
	prog := newProgress("evaluating")
	q, err := generate.EvaluateProgress(m.Backend(), m.Refiner(), x.Data, x.N, train.Data, train.N, c.Int("samples"), max(1, c.Int("batch")),
		func(done, total int) { prog.update(done, total, "windows") })
	if err != nil {
		return err
	}
	if err := plotQuality(c, q); err != nil {
		return err
	}
	if c.Bool("json") {
		return writeJSON(c.App.Writer, q)
	}
	fmt.Fprintln(c.App.Writer, q.String())
	return nil
}
