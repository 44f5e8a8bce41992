package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/musicvae-go/mvae/internal/fsutil"
	"github.com/musicvae-go/mvae/music"
	"github.com/musicvae-go/mvae/npy"
)

func dataCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "data",
		Usage: "turn MIDI files into MusicVAE tensors and back",
		Subcommands: []*ucli.Command{
			{
				Name:      "show",
				Usage:     "write all windows of one MIDI file as a .npy [windows, T, D]",
				ArgsUsage: "FILE.mid",
				Flags: append(windowFlags(),
					&ucli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the windows to this .npy (float32 [windows, T, D])"},
					jsonFlag),
				Action: dataShow,
			},
			{
				Name:      "build",
				Usage:     "build a train/validation/test dataset (.npz) from folders of MIDI files",
				ArgsUsage: "DIR|FILE...",
				Description: "Reads every .mid/.midi file under the folders. A folder holding the Groove MIDI Dataset's\n" +
					"info.csv splits the files it lists by its split column; other files split 80/10/10 by a stable\n" +
					"hash of their path relative to the folder named. Duplicate windows inside a file are dropped.",
				Flags: append(windowFlags(),
					&ucli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "the dataset `FILE` (.npz with arrays train, validation, test)", Required: true},
					strictFlag, jsonFlag, listSkippedFlag),
				Action: dataBuild,
			},
			{
				Name:      "render",
				Usage:     "write windows (.npy [N, T, D] or an array of a .npz) back as MIDI files",
				ArgsUsage: "WINDOWS.npy|TENSORS.npz",
				Flags: []ucli.Flag{
					&ucli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "the output `DIR` (created if missing)", Required: true},
					&ucli.StringFlag{Name: "representation", Aliases: []string{"r"}, Usage: "groove, drums, melody or trio (default: from the last dimension)"},
					&ucli.StringFlag{Name: "drum-map", Value: "gm", Usage: "gm, roland or magenta: the pitches drums are written as"},
					&ucli.StringFlag{Name: "model", Aliases: []string{"m"}, Usage: "write as this model (`NAME.mvae`) writes its results: its representation and drum map, and a Magenta model's magenta.js converter (instead of -r and --drum-map)"},
					bpmFlag, loopFlag, quantizeFlag, programFlag,
					&ucli.StringFlag{Name: "array", Usage: "the array of a .npz to render (default: tokens, or its only array)"},
					&ucli.StringFlag{Name: "prefix", Usage: "file name prefix (default: the input's name)"},
					forceFlag, jsonFlag,
				},
				Action: dataRender,
			},
		},
	}
}

func windowFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringFlag{Name: "representation", Aliases: []string{"r"}, Value: "groove", Usage: "groove, drums or melody"},
		&ucli.IntFlag{Name: "bars", Value: 4, Usage: "window length in bars (16 steps a bar)"},
		&ucli.StringFlag{Name: "drum-map", Value: "gm", Usage: "gm (General MIDI) or roland (Groove MIDI Dataset)"},
		&ucli.IntFlag{Name: "channel", Value: 0, Usage: "melody: read only this MIDI `CHANNEL` (1-16; default: every non-drum channel)"},
		&ucli.StringFlag{Name: "model", Aliases: []string{"m"}, Usage: "read the MIDI as this model (`NAME.mvae`) reads it: its representation, bars and drum map, and a Magenta model's magenta.js converter (instead of -r, --bars and --drum-map)"},
	}
}

func windowOptions(c *ucli.Context) (music.Options, error) {
	rep, err := music.ParseRepresentation(c.String("representation"))
	if err != nil {
		return music.Options{}, err
	}
	m, err := music.DrumMapByName(c.String("drum-map"))
	if err != nil {
		return music.Options{}, err
	}
	ch := c.Int("channel")
	if ch < 0 || ch > 16 {
		return music.Options{}, fmt.Errorf("--channel must be 1..16, got %d", ch)
	}
	o := music.Options{Representation: rep, Bars: c.Int("bars"), DrumMap: m, Channel: ch - 1}
	if c.String("model") != "" {
		for _, f := range []string{"representation", "bars", "drum-map"} {
			if c.IsSet(f) {
				return music.Options{}, fmt.Errorf("--%s and --model: the model says how it reads MIDI", f)
			}
		}
		b, name, err := loadBundle(c)
		if err != nil {
			return music.Options{}, err
		}
		o = b.Config().MusicOptions()
		o.Channel = ch - 1
		if err := o.Check(); err != nil {
			return music.Options{}, fmt.Errorf("%s: %w", name, err)
		}
		return o, nil
	}
	return o, o.Check()
}

func windowsArray(w *music.Windows) *npy.Array {
	return &npy.Array{Shape: []int{w.N, w.T, w.D}, Data: w.Data}
}

func dataShow(c *ucli.Context) error {
	if c.NArg() != 1 {
		return fmt.Errorf("data show takes one MIDI file, got %d arguments", c.NArg())
	}
	o, err := windowOptions(c)
	if err != nil {
		return err
	}
	path := c.Args().First()
	w, err := music.FileWindows(path, o)
	if err != nil {
		return err
	}
	if out := c.String("output"); out != "" {
		if err := npy.WriteFile(out, windowsArray(w)); err != nil {
			return err
		}
		logf("wrote %s: %d windows of [%d, %d]", out, w.N, w.T, w.D)
	}
	if c.Bool("json") {
		return writeJSON(c.App.Writer, map[string]any{
			"file": path, "representation": o.Representation, "bars": o.Bars, "drum_map": o.DrumMap.Name,
			"windows": w.N, "shape": []int{w.N, w.T, w.D}, "output": c.String("output"),
		})
	}
	if c.String("output") == "" {
		fmt.Fprintf(c.App.Writer, "%s: %d %s windows of %d bars, shape [%d, %d, %d] (write them with -o FILE.npy)\n",
			path, w.N, o.Representation, o.Bars, w.N, w.T, w.D)
	}
	return nil
}

func dataBuild(c *ucli.Context) error {
	if c.NArg() == 0 {
		return fmt.Errorf("data build needs at least one folder or MIDI file")
	}
	o, err := windowOptions(c)
	if err != nil {
		return err
	}
	prog := newProgress("reading")
	ds, rep, err := music.BuildDataset(c.Args().Slice(), music.BuildOptions{
		Options:  o,
		Strict:   c.Bool("strict"),
		Progress: func(done, total int) { prog.update(done, total, "files") },
		Warn:     func(f string, a ...any) { logf("warning: "+f, a...) },
	})
	if rep != nil && !c.Bool("json") {
		printReport(os.Stderr, rep, reportOptions{ListSkipped: c.Bool("list-skipped")})
	}
	if err != nil {
		return err
	}
	out := c.String("output")
	arrays := map[string]*npy.Array{}
	for i, name := range music.SplitNames {
		arrays[name] = windowsArray(ds.Splits[i])
	}
	if err := npy.WriteNPZFile(out, music.SplitNames[:], arrays); err != nil {
		return err
	}
	if c.Bool("json") {
		return writeJSON(c.App.Writer, map[string]any{
			"output": out, "representation": o.Representation, "bars": o.Bars, "drum_map": o.DrumMap.Name, "report": rep,
		})
	}
	logf("wrote %s", out)
	return nil
}

func dataRender(c *ucli.Context) error {
	if c.NArg() != 1 {
		return fmt.Errorf("data render takes one .npy or .npz file, got %d arguments", c.NArg())
	}
	in := c.Args().First()
	names := []string{"tokens", ""}
	if n := c.String("array"); n != "" {
		names = []string{n}
	}
	a, _, err := npy.ReadArrayFile(in, names...)
	var missing *npy.MissingArrayError
	if errors.As(err, &missing) {
		return fmt.Errorf("%w; pick one with --array", err)
	}
	if err != nil {
		return err
	}
	if len(a.Shape) == 2 {
		a.Shape = []int{1, a.Shape[0], a.Shape[1]}
	}
	if err := a.CheckShape(-1, -1, -1); err != nil {
		return fmt.Errorf("%s: %v (windows are [N, T, D] or one [T, D])", in, err)
	}
	if err := a.CheckBatch(-1, -1, -1); err != nil {
		return fmt.Errorf("%s: %v", in, err)
	}
	D := a.Shape[2]
	var rep music.Representation
	var wo music.WriteOptions
	if c.String("model") != "" {
		for _, f := range []string{"representation", "drum-map"} {
			if c.IsSet(f) {
				return fmt.Errorf("--%s and --model: the model says how it writes MIDI", f)
			}
		}
		b, name, err := loadBundle(c)
		if err != nil {
			return err
		}
		wo = b.Config().WriteOptions()
		if rep = wo.Representation; rep.Depth() != D {
			return fmt.Errorf("%s: last dimension %d does not fit %s's %s (D=%d)", in, D, name, rep, rep.Depth())
		}
	} else if r := c.String("representation"); r != "" {
		if rep, err = music.ParseRepresentation(r); err != nil {
			return err
		}
		if rep.Depth() != D {
			return fmt.Errorf("%s: last dimension %d does not fit %s (D=%d)", in, D, rep, rep.Depth())
		}
	} else if rep, err = music.RepresentationForDepth(D); err != nil {
		return fmt.Errorf("%s: %v", in, err)
	}
	if c.String("model") == "" {
		m, err := music.DrumMapByName(c.String("drum-map"))
		if err != nil {
			return err
		}
		wo = music.WriteOptions{Representation: rep, DrumMap: m}
	}
	if err := applyMIDIFlags(c, &wo, nil, in); err != nil {
		return err
	}
	dir := c.String("output")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	prefix := c.String("prefix")
	if prefix == "" {
		prefix = strings.TrimSuffix(filepath.Base(in), filepath.Ext(in))
	}
	N, T := a.Shape[0], a.Shape[1]
	wrote := 0
	var written []string
	var firstErr error
	for i := 0; i < N; i++ {
		name := filepath.Join(dir, fmt.Sprintf("%s_%04d.mid", prefix, i))
		x := a.Data[i*T*D : (i+1)*T*D]
		err := fsutil.CreateNew(name, c.Bool("force"), func(w io.Writer) error {
			o := wo
			o.Name = fmt.Sprintf("%s %d", prefix, i)
			return music.WindowToMIDI(w, x, o)
		})
		if err != nil {
			logf("%v", err)
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		wrote++
		written = append(written, name)
	}
	logf("wrote %d of %d MIDI files to %s", wrote, N, dir)
	if firstErr != nil {
		return fmt.Errorf("%d file(s) not written, first: %w", N-wrote, firstErr)
	}
	return writeMIDIReport(c, written, wo, T, 0)
}
