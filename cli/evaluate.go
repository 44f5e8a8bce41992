package cli

import (
	"fmt"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/music"
	"github.com/musicvae-go/mvae/npy"
)

func evaluateCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "evaluate",
		Usage:     "measure greedy reconstruction, KL and prior samples on held-out windows",
		ArgsUsage: "[DIR|FILE.mid...]",
		Description: "Encodes every window (of the MIDI files under the folders, or of --data) to mu, decodes it\n" +
			"at temperature 0, and reports hit precision, recall, F1 and per-step accuracy, and the KL per\n" +
			"sequence. With --train it also samples the prior (temperature 1) and reports the share of\n" +
			"samples whose hit density lies within the train windows' 5-95 % range.",
		Flags: runFlags(
			&ucli.StringFlag{Name: "data", Usage: "windows to reconstruct: a `DATA.npz` (all its arrays, or those of --arrays) or .npy"},
			&ucli.StringSliceFlag{Name: "arrays", Usage: "the arrays of --data to use (e.g. validation)"},
			&ucli.StringFlag{Name: "train", Usage: "training windows (`TRAIN.npz` or a folder of MIDI) for the density range"},
			&ucli.IntFlag{Name: "samples", Value: 256, Usage: "prior samples (with --train)"},
			&ucli.IntFlag{Name: "batch", Value: 64, Usage: "sequences decoded together"},
			jsonFlag),
		Action: runEvaluate,
	}
}

// windowsFrom reads windows from a .npz (all arrays), a .npy, or MIDI files
// and folders (with the model's representation; bad files are skipped).
func windowsFrom(cfg *model.Config, npzOrNpy string, paths []string, arrays ...string) ([]float32, int, error) {
	T, D := cfg.T(), cfg.InputSize
	var data []float32
	if npzOrNpy != "" {
		if strings.HasSuffix(strings.ToLower(npzOrNpy), ".npz") {
			z, err := npy.OpenNPZ(npzOrNpy)
			if err != nil {
				return nil, 0, err
			}
			defer z.Close()
			names := z.Names()
			if len(arrays) > 0 {
				names = arrays
			}
			for _, n := range names {
				if !z.Has(n) {
					return nil, 0, fmt.Errorf("%s has no array %s (it holds %s)", npzOrNpy, n, strings.Join(z.Names(), ", "))
				}
				a, err := z.Get(n)
				if err != nil {
					return nil, 0, err
				}
				if len(a.Shape) != 3 || a.Shape[1] != T || a.Shape[2] != D {
					return nil, 0, fmt.Errorf("%s: array %s has shape %v; the model wants [N, %d, %d]", npzOrNpy, n, a.Shape, T, D)
				}
				data = append(data, a.Data...)
			}
		} else {
			a, err := npy.ReadFile(npzOrNpy)
			if err != nil {
				return nil, 0, err
			}
			if err := checkShape(npzOrNpy, a, -1, T, D); err != nil {
				return nil, 0, err
			}
			data = a.Data
		}
	}
	if len(paths) > 0 {
		ds, rep, err := music.BuildDataset(paths, music.BuildOptions{Options: cfg.MusicOptions()})
		if err != nil {
			return nil, 0, err
		}
		logf("read %d files (%d skipped), %d windows", rep.Used, len(rep.Skipped), rep.Kept[0]+rep.Kept[1]+rep.Kept[2])
		for _, w := range ds.Splits {
			data = append(data, w.Data...)
		}
	}
	return data, len(data) / (T * D), nil
}

func runEvaluate(c *ucli.Context) error {
	be, b, err := modelBackend(c)
	if err != nil {
		return err
	}
	defer be.Close()
	cfg := b.Config()
	if c.String("data") == "" && c.NArg() == 0 {
		return fmt.Errorf("evaluate needs windows: MIDI files or folders, or --data DATA.npz")
	}
	x, n, err := windowsFrom(cfg, c.String("data"), c.Args().Slice(), c.StringSlice("arrays")...)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("no windows to evaluate")
	}
	var train []float32
	var nt int
	if t := c.String("train"); t != "" {
		if strings.HasSuffix(strings.ToLower(t), ".npz") || strings.HasSuffix(strings.ToLower(t), ".npy") {
			train, nt, err = windowsFrom(cfg, t, nil)
		} else {
			train, nt, err = windowsFrom(cfg, "", []string{t})
		}
		if err != nil {
			return err
		}
	}
	q, err := generate.Evaluate(be, x, n, train, nt, c.Int("samples"), max(1, c.Int("batch")))
	if err != nil {
		return err
	}
	if c.Bool("json") {
		return writeJSON(c.App.Writer, q)
	}
	fmt.Fprintln(c.App.Writer, q.String())
	return nil
}
