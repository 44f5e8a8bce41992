package cli

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/music"
	"github.com/musicvae-go/mvae/npy"
)

// The flags that choose how generated sequences become MIDI files.
var (
	bpmFlag = &ucli.Float64Flag{Name: "bpm", DefaultText: "the input file's tempo, else 120",
		Usage: "tempo of the MIDI files, in quarter notes a minute (above 0, at most 1000)"}
	loopFlag     = &ucli.IntFlag{Name: "loop", Value: 1, Usage: "play each sequence `N` times in its file (1 to 1024)"}
	quantizeFlag = &ucli.BoolFlag{Name: "quantize", Usage: "groove models: every hit on its 16th note at velocity 100 (drop velocities and offsets)"}
	programFlag  = &ucli.IntFlag{Name: "program", DefaultText: "none, which players sound as piano",
		Usage: "melody and trio models: General MIDI program `P` of the melody, 1 to 128 as GM tables number them (1: piano, 34: finger bass)"}
)

// stdoutName is the --output that streams one MIDI file to stdout.
const stdoutName = "-"

// errStdoutOne is the error of -o - when a command would write several files.
var errStdoutOne = errors.New("-o - streams one MIDI file to stdout")

// checkStdout refuses -o - when the command would write n files, or print
// JSON on the same stdout.
func checkStdout(c *ucli.Context, n int) error {
	if c.String("output") != stdoutName {
		return nil
	}
	if n != 1 {
		return usagef("%w, but %s writes %d; give a folder (-o DIR)", errStdoutOne, commandPath(c), n)
	}
	if c.Bool("json") {
		return usagef("%w: --json would print on it too; give a folder (-o DIR) or leave out --json", errStdoutOne)
	}
	return nil
}

// midiOptions are the write options of the command's MIDI files: the model's
// representation, then --bpm (else the tempo of the first input MIDI file,
// or of the encoded files a decode's .npz names, else 120), --loop,
// --quantize and --program. An option the model cannot use is refused.
func midiOptions(c *ucli.Context, cfg *model.Config, inputs []string) (music.WriteOptions, error) {
	wo := cfg.WriteOptions()
	err := applyMIDIFlags(c, &wo, inputs, c.String("z"))
	return wo, err
}

// applyMIDIFlags sets the tempo (--bpm, else that of the first input MIDI
// file, else of the tensors file's bpm array, else 120), --loop, --quantize
// and --program of wo, and checks them.
func applyMIDIFlags(c *ucli.Context, wo *music.WriteOptions, inputs []string, tensors string) error {
	switch {
	case c.IsSet("bpm"):
		wo.BPM = c.Float64("bpm")
	case len(inputs) > 0:
		bpm, err := music.FileBPM(inputs[0])
		if err != nil {
			return err
		}
		wo.BPM = bpm
	case tensors != "":
		bpm, err := npzBPM(tensors)
		if err != nil {
			return err
		}
		wo.BPM = bpm
	}
	wo.Loop = c.Int("loop")
	wo.Quantize = c.Bool("quantize")
	wo.Program = c.Int("program")
	if wo.Quantize && wo.Representation != music.Groove {
		return usagef("--quantize drops a groove's velocities and offsets; this model writes %s, which has none", wo.Representation)
	}
	if wo.Program != 0 && (wo.Representation == music.Groove || wo.Representation == music.Drums) {
		return usagef("--program %d: this model writes %s, which play on the drum channel (10); --program is for melody and trio models", wo.Program, wo.Representation)
	}
	return wo.Check()
}

// npzBPM is the tempo encode stored beside z in an .npz (its "bpm" array,
// per window: the first window's), or 0 (120) when there is none.
func npzBPM(path string) (float64, error) {
	if !strings.EqualFold(filepath.Ext(path), ".npz") {
		return 0, nil
	}
	z, err := npy.OpenNPZ(path)
	if err != nil {
		return 0, err
	}
	defer z.Close()
	if !z.Has("bpm") {
		return 0, nil
	}
	a, err := z.Get("bpm")
	if err != nil {
		return 0, err
	}
	if len(a.Data) == 0 {
		return 0, nil
	}
	bpm := float64(a.Data[0])
	if !(bpm > 0 && bpm <= music.MaxBPM) {
		return 0, fmt.Errorf("%s: bpm %v is not a tempo (want above 0, at most %d)", path, bpm, music.MaxBPM)
	}
	return bpm, nil
}

// checkMIDIOptions refuses, before any work, MIDI options the model cannot
// use and a -o - of a command that writes n files.
func checkMIDIOptions(c *ucli.Context, cfg *model.Config, n int) error {
	if c.String("output") == "" {
		return nil
	}
	if err := checkStdout(c, n); err != nil {
		return err
	}
	_, err := midiOptions(c, cfg, c.Args().Slice())
	return err
}

// midiReport is what --json prints after MIDI files are written.
type midiReport struct {
	Files   []string `json:"files"`
	BPM     float64  `json:"bpm,omitempty"`
	Bars    int      `json:"bars,omitempty"`
	Loop    int      `json:"loop,omitempty"`
	Seconds float64  `json:"seconds,omitempty"` // the length of each file
	Tensors string   `json:"tensors,omitempty"`
	Seed    uint64   `json:"seed"`
}

// writeMIDIReport prints the --json result of a command that wrote files
// of T steps, with the seed it drew from (random unless --seed).
func writeMIDIReport(c *ucli.Context, files []string, wo music.WriteOptions, T int, seed uint64) error {
	if !c.Bool("json") {
		return nil
	}
	r := midiReport{Files: files, Tensors: c.String("tensors"), Seed: seed}
	if r.Files == nil {
		r.Files = []string{}
	}
	if len(files) > 0 {
		r.BPM, r.Loop = wo.BPM, max(wo.Loop, 1)
		if r.BPM == 0 {
			r.BPM = music.DefaultBPM
		}
		r.Bars = T / music.StepsPerBar
		r.Seconds = wo.FileSeconds(T)
	}
	return writeJSON(c.App.Writer, r)
}

// windowBPMs is the tempo of each window's file (encode's "bpm" array, which
// decode reads).
func windowBPMs(fw *music.FilesWindows) (*npy.Array, error) {
	bpms := make([]float32, len(fw.Files))
	for i, f := range fw.Files {
		bpm, err := music.FileBPM(f)
		if err != nil {
			return nil, err
		}
		bpms[i] = float32(bpm)
	}
	a := npy.New(len(fw.File))
	for i, f := range fw.File {
		a.Data[i] = bpms[f]
	}
	return a, nil
}
