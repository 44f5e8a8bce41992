package cli

import (
	"fmt"
	"io"
	"math"
	"os"
	"runtime/debug"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/musicvae-go/mvae/finetune"
	"github.com/musicvae-go/mvae/graphs"
	"github.com/musicvae-go/mvae/importer"
	"github.com/musicvae-go/mvae/internal/fsutil"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/music"
	"github.com/musicvae-go/mvae/native"
	"github.com/musicvae-go/mvae/npy"
)

func trainCommands() []*ucli.Command {
	return []*ucli.Command{
		{
			Name:  "loss",
			Usage: "compute the spec's loss (and every parameter's gradient) on a batch",
			Flags: []ucli.Flag{modelFlag,
				&ucli.StringFlag{Name: "x", Usage: "`X.npy` [B,T,D]", Required: true},
				&ucli.StringFlag{Name: "eps", Usage: "`E.npy` [B,Z]", Required: true},
				&ucli.Float64Flag{Name: "beta", Value: -1, Usage: "the effective beta of this batch (default: the config's max_beta)"},
				&ucli.Float64Flag{Name: "free-bits", Value: -1, Usage: "free bits (default: the config's)"},
				&ucli.StringFlag{Name: "grads", Usage: "write every parameter's gradient, by PyTorch name, to `G.npz`"},
				jsonFlag},
			Action: runLoss,
		},
		{
			Name:      "finetune",
			Usage:     "train a model further on your MIDI files (native runtime) and write a new bundle",
			ArgsUsage: "[DIR|FILE.mid...]",
			Description: "Reads windows from --data (an `mvae data build` file: train and validation arrays) and from\n" +
				"MIDI files and folders (converted with the model's representation and split as mvae data build\n" +
				"splits: its train part trains, its validation and test parts validate, about 80 % and 20 %).\n" +
				"Windows holding NaN or infinity are refused. Adam with learning-rate decay and gradient clipping;\n" +
				"the loss of the spec with a fixed beta and free bits; validation every --val-every steps; the\n" +
				"best weights by validation loss are written. Checkpoints (--checkpoint) are replaced atomically;\n" +
				"--resume continues one after checking it (the model's config, every tensor's shape, finite\n" +
				"values, a step within --steps).",
			Flags: []ucli.Flag{modelFlag,
				&ucli.StringFlag{Name: "data", Usage: "`DATA.npz` from mvae data build"},
				&ucli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "the new bundle `NEW.mvae`", Required: true},
				&ucli.IntFlag{Name: "steps", Value: 1000, Usage: "optimizer steps"},
				&ucli.IntFlag{Name: "batch", Value: 64, Usage: "windows a step"},
				&ucli.Float64Flag{Name: "lr", Value: 3e-4, Usage: "learning rate"},
				&ucli.Float64Flag{Name: "lr-decay", Value: 0.9999, Usage: "learning rate decay a step (lr * decay^step)"},
				&ucli.Float64Flag{Name: "min-lr", Value: 1e-5, Usage: "learning rate floor"},
				&ucli.Float64Flag{Name: "beta", Value: -1, Usage: "effective KL weight (default: the config's max_beta)"},
				&ucli.Float64Flag{Name: "free-bits", Value: -1, Usage: "free bits (default: the config's)"},
				&ucli.Float64Flag{Name: "clip", Value: 1, Usage: "global gradient-norm clipping (0: none)"},
				&ucli.StringSliceFlag{Name: "freeze", Usage: "parts kept fixed: encoder, conductor, decoder, or parameter names (repeatable)"},
				&ucli.IntFlag{Name: "val-every", Value: 100, Usage: "validate every N steps"},
				&ucli.IntFlag{Name: "patience", Value: 5, Usage: "stop after N validations without improvement (0: never)"},
				&ucli.StringFlag{Name: "checkpoint", Usage: "checkpoint `FILE` (default: NEW.mvae.ckpt)"},
				&ucli.BoolFlag{Name: "resume", Usage: "continue from the checkpoint"},
				&ucli.Uint64Flag{Name: "seed", Value: 0, Usage: "seed of batch order and noise"},
				&ucli.Float64Flag{Name: "mix", Usage: "groove augmentation: chance that an instrument group of a window is taken from another window of the batch"},
				&ucli.Float64Flag{Name: "toms", Usage: "groove augmentation: chance that the three toms of a window are shuffled"},
				&ucli.Float64Flag{Name: "hat-ride", Usage: "groove augmentation: chance that closed hi-hat and ride of a window change places"},
				&ucli.Float64Flag{Name: "drop", Usage: "groove augmentation: chance that a hit is dropped"},
				&ucli.StringFlag{Name: "sampling", Value: "none", Usage: "scheduled sampling: feed each decoder step, with a chance set by `SCHEDULE` (none, constant, inverse_sigmoid or exponential, as Magenta's sampling_schedule) and --sampling-rate, the token the decoder sampled itself instead of the target's, so that greedy decoding goes on from its own mistakes"},
				&ucli.Float64Flag{Name: "sampling-rate", Usage: "scheduled sampling's rate, as Magenta's sampling_rate: constant, the chance in [0, 1]; inverse_sigmoid, k ≥ 1 (chance 1 - k/(k + e^(step/k))); exponential, k in (0, 1) (chance 1 - k^step)"},
				&ucli.Float64Flag{Name: "sampling-temperature", Usage: "temperature of the tokens scheduled sampling feeds back (0: greedy)"},
				&ucli.BoolFlag{Name: "half", Usage: "store the new weights as float16"},
				&ucli.BoolFlag{Name: "graphs", Usage: "also store the ONNX graphs in the new bundle (mvae rebuilds them from the weights and needs none)"},
				jsonFlag, strictFlag, listSkippedFlag},
			Action: runFinetune,
		},
		{
			Name:  "export",
			Usage: "write a bundle's full teacher-forced graph as ONNX (with mvae.config), importable again; or, with --magenta, a magenta.js checkpoint",
			Flags: []ucli.Flag{modelFlag,
				&ucli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "`model.onnx`"},
				&ucli.StringFlag{Name: "magenta", Usage: "write a magenta.js checkpoint (config.json, weights_manifest.json, 4 MiB float32 shards) into the folder `DIR` (a model imported from Magenta, or fine-tuned from one)"},
				&ucli.StringFlag{Name: "safetensors", Usage: "also write the weights by PyTorch name to `W.safetensors`"},
				&ucli.StringFlag{Name: "pt", Usage: "also write a PyTorch state_dict (`model.pt`) that load_state_dict takes"},
				jsonFlag},
			Action: runExport,
		},
	}
}

func lossSettings(c *ucli.Context, cfg *model.Config) (beta, fb float64) {
	beta, fb = c.Float64("beta"), c.Float64("free-bits")
	if beta < 0 {
		beta = cfg.MaxBeta
	}
	if fb < 0 {
		fb = cfg.FreeBits
	}
	return beta, fb
}

func runLoss(c *ucli.Context) error {
	b, name, err := loadBundle(c)
	if err != nil {
		return err
	}
	cfg := b.Config()
	w, err := b.Weights()
	if err != nil {
		return err
	}
	m, err := native.New(cfg, w)
	if err != nil {
		return fmt.Errorf("%s: %v", name, err)
	}
	x, eps, err := cfg.ReadBatch(c.String("x"), c.String("eps"))
	if err != nil {
		return err
	}
	B := x.Shape[0]
	beta, fb := lossSettings(c, cfg)
	var g model.Weights
	if c.String("grads") != "" {
		g = native.NewGrads(cfg)
	}
	p, err := m.LossAndGrad(x.Data, eps.Data, B, beta, fb, g)
	if err != nil {
		return err
	}
	if out := c.String("grads"); out != "" {
		names := g.Names(cfg)
		arrays := map[string]*npy.Array{}
		for _, n := range names {
			arrays[n] = g[n]
		}
		if err := npy.WriteNPZFile(out, names, arrays); err != nil {
			return err
		}
		logf("wrote %s: gradients of %d parameters", out, len(names))
	}
	if c.Bool("json") {
		return writeJSON(c.App.Writer, p)
	}
	fmt.Fprintf(c.App.Writer, "loss %.6g (reconstruction %.6g, KL %.6g nats; beta %g, free bits %g)\n", p.Loss, p.Reconstruction, p.KL, beta, fb)
	return nil
}

// trainingWindows reads --data and the MIDI files and folders given.
func trainingWindows(c *ucli.Context, cfg *model.Config) (*finetune.Data, error) {
	prog := newProgress("reading")
	d, rep, err := finetune.LoadData(cfg, c.String("data"), c.Args().Slice(), music.BuildOptions{Strict: c.Bool("strict"),
		Warn:     func(f string, a ...any) { logf("warning: "+f, a...) },
		Progress: func(done, total int) { prog.update(done, total, "files") }})
	if rep != nil {
		printReport(os.Stderr, rep, reportOptions{ListSkipped: c.Bool("list-skipped"), Splits: trainAndValidation})
	}
	return d, err
}

func runFinetune(c *ucli.Context) error {
	// Each step's activations are garbage after it; collect sooner than
	// Go's default. (The packed weights no longer are: the native model
	// packs them once and Refresh repacks them in place. mvae bench --train
	// --preset seed --batch 16 peaks at 6.2 GB with GOGC 25 and with 100;
	// before, 6.9 GB with 25 and 9.9 GB with 100.)
	defer debug.SetGCPercent(debug.SetGCPercent(25))
	sampling, err := samplingOf(c)
	if err != nil {
		return err
	}
	b, name, err := loadBundle(c)
	if err != nil {
		return err
	}
	if err := finetune.CheckPrecision(b); err != nil {
		return fmt.Errorf("%s: %v", name, err)
	}
	cfg := b.Config()
	d, err := trainingWindows(c, cfg)
	if err != nil {
		return err
	}
	train, nt, val, nv := d.Train.Data, d.Train.N, d.Val.Data, d.Val.N
	beta, fb := lossSettings(c, cfg)
	out := c.String("output")
	ck := c.String("checkpoint")
	if ck == "" {
		ck = out + ".ckpt"
	}
	logf("fine-tuning %s on %d windows (validation %d): %d steps of %d, lr %g, beta %g, free bits %g", name, nt, nv, c.Int("steps"), c.Int("batch"), c.Float64("lr"), beta, fb)
	prog := newProgress("finetune")
	w, err := b.Weights()
	if err != nil {
		return err
	}
	res, err := finetune.Run(cfg, w, train, nt, val, nv, finetune.Options{
		Steps: c.Int("steps"), Batch: c.Int("batch"), LR: c.Float64("lr"), LRDecay: c.Float64("lr-decay"), MinLR: c.Float64("min-lr"),
		Beta: beta, FreeBits: fb, Clip: c.Float64("clip"), Freeze: c.StringSlice("freeze"),
		ValEvery: c.Int("val-every"), Patience: c.Int("patience"), Checkpoint: ck, Resume: c.Bool("resume"), Seed: c.Uint64("seed"),
		Augment:  finetune.Augmentation{Mix: c.Float64("mix"), Toms: c.Float64("toms"), HatRide: c.Float64("hat-ride"), Drop: c.Float64("drop")},
		Sampling: sampling,
		Progress: func(p finetune.Progress) {
			extra := fmt.Sprintf("loss %.2f, %.0f ex/s", p.Loss, p.ExamplesPerSec)
			if !math.IsNaN(p.ValLoss) {
				extra += fmt.Sprintf(", val %.2f", p.ValLoss)
			}
			prog.update(p.Step, p.Steps, extra)
			if p.Validated && !prog.term {
				logf("step %d/%d: loss %.3f, validation %.3f, %.0f examples/s", p.Step, p.Steps, p.Loss, p.ValLoss, p.ExamplesPerSec)
			}
		},
	})
	if err != nil {
		return err
	}
	if res.Resumed > 0 {
		logf("resumed from step %d of %s", res.Resumed, ck)
	}
	if res.StoppedEarly {
		logf("stopped early: %d validations without improvement", c.Int("patience"))
	}
	nb, _, err := importer.NewBundle(cfg, res.Weights, model.Provenance{
		Source: name, SourceKind: "finetune", Tool: "mvae " + Version,
		Notes: fmt.Sprintf("fine-tuned %d steps (best validation loss %.4f at step %d) on %d windows; lr %g, batch %d, beta %g, free bits %g, frozen %s",
			res.History[len(res.History)-1].Step, res.BestVal, res.BestStep, nt, c.Float64("lr"), c.Int("batch"), beta, fb, strings.Join(c.StringSlice("freeze"), ",")) +
			augmentNote(finetune.Augmentation{Mix: c.Float64("mix"), Toms: c.Float64("toms"), HatRide: c.Float64("hat-ride"), Drop: c.Float64("drop")}) +
			samplingNote(sampling),
	}, c.Bool("graphs"))
	if err != nil {
		return err
	}
	if err := model.WriteBundleFile(out, nb, c.Bool("half")); err != nil {
		return err
	}
	if c.Bool("json") {
		return writeJSON(c.App.Writer, map[string]any{"output": out, "best_step": res.BestStep, "best_val_loss": res.BestVal, "history": res.History, "stopped_early": res.StoppedEarly})
	}
	logf("wrote %s (best validation loss %.4f at step %d)", out, res.BestVal, res.BestStep)
	return nil
}

func runExport(c *ucli.Context) (err error) {
	b, _, err := loadBundle(c)
	if err != nil {
		return err
	}
	cfg := b.Config()
	out, mdir := c.String("output"), c.String("magenta")
	if out == "" && mdir == "" {
		return fmt.Errorf("export writes --output model.onnx, --magenta DIR, or both")
	}
	w, err := b.Weights()
	if err != nil {
		return err
	}
	var written []string
	defer func() {
		if c.Bool("json") && err == nil {
			err = writeJSON(c.App.Writer, map[string]any{"files": written})
		}
	}()
	if mdir != "" {
		files, err := importer.WriteMagenta(mdir, cfg, w)
		if err != nil {
			return err
		}
		logf("wrote %s: a magenta.js checkpoint (%d files, %s)", mdir, len(files), cfg.Magenta.Source)
		written = append(written, mdir)
		if cfg.Magenta.Source != "magenta.js" {
			logf("note: magenta.js does not load this layout (%s); TensorFlow Magenta does", cfg.Magenta.Source)
		}
	}
	if out != "" {
		full := graphs.BuildFull(cfg, w).Marshal()
		if err := fsutil.WriteAtomic(out, func(w io.Writer) error { _, err := w.Write(full); return err }); err != nil {
			return err
		}
		written = append(written, out)
		logf("wrote %s (opset %d, inputs x [B,%d,%d] and eps [B,%d]; outputs logits, mu, sigma)", out, graphs.BuildOpset, cfg.T(), cfg.InputSize, cfg.ZSize)
	}
	if p := c.String("safetensors"); p != "" {
		if err := fsutil.WriteAtomic(p, func(f io.Writer) error {
			return model.WriteSafetensors(f, w.Names(cfg), w, map[string]string{"mvae.config": string(cfg.JSON())}, false)
		}); err != nil {
			return err
		}
		logf("wrote %s", p)
		written = append(written, p)
	}
	if p := c.String("pt"); p != "" {
		if err := fsutil.WriteAtomic(p, func(f io.Writer) error { return model.WriteStateDict(f, cfg, w) }); err != nil {
			return err
		}
		logf("wrote %s (torch.load + load_state_dict; the config is the bundle's)", p)
		written = append(written, p)
	}
	return nil
}

func augmentNote(a finetune.Augmentation) string {
	if !a.Active() {
		return ""
	}
	return fmt.Sprintf("; augmentation mix %g, toms %g, hat-ride %g, drop %g", a.Mix, a.Toms, a.HatRide, a.Drop)
}

// samplingOf reads and checks the scheduled-sampling flags.
func samplingOf(c *ucli.Context) (finetune.Sampling, error) {
	sch, err := finetune.ParseSchedule(c.String("sampling"))
	if err != nil {
		return finetune.Sampling{}, err
	}
	if sch == finetune.TeacherForcing && (c.IsSet("sampling-rate") || c.IsSet("sampling-temperature")) {
		return finetune.Sampling{}, fmt.Errorf("--sampling-rate and --sampling-temperature need --sampling constant, inverse_sigmoid or exponential")
	}
	s := finetune.Sampling{Schedule: sch, Rate: c.Float64("sampling-rate"), Temperature: c.Float64("sampling-temperature")}
	return s, s.Check()
}

func samplingNote(s finetune.Sampling) string {
	if !s.Active() {
		return ""
	}
	return fmt.Sprintf("; scheduled sampling %s, rate %g, temperature %g", s.Schedule, s.Rate, s.Temperature)
}
