package hostile

import (
	"path/filepath"
	"strings"
)

// expandDir replaces a leading "DIR/" of each argument by the case's folder
// ("DIR/" alone is the folder; "DIR/./x" keeps its odd spelling).
func expandDir(dir string, args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if rest, ok := strings.CutPrefix(a, "DIR/"); ok {
			a = dir + string(filepath.Separator) + rest
		}
		out[i] = a
	}
	return out
}

// flagCases are nonsense values of numeric flags: each must be refused with
// one line naming the flag, before any file is read or written.
var flagCases = []struct {
	name string
	args []string // "DIR/" is replaced by the case's folder
	want []string
}{
	{"temperature-nan", []string{"generate", "-n", "1", "--temperature", "NaN", "-o", "DIR/out"}, []string{"--temperature", "NaN"}},
	{"temperature-negative", []string{"generate", "-n", "1", "-t", "-1", "-o", "DIR/out"}, []string{"--temperature"}},
	{"bpm-zero", []string{"generate", "-n", "1", "--bpm", "0", "-o", "DIR/out"}, []string{"--bpm"}},
	{"bpm-negative", []string{"data", "render", "DIR/w.npy", "--bpm", "-5", "-o", "DIR/out"}, []string{"--bpm"}},
	{"seed-negative", []string{"generate", "--seed", "-3"}, []string{`invalid value "-3" for flag --seed`}},
	{"n-huge", []string{"generate", "-n", "100000000"}, []string{"-n", "100000"}},
	{"steps-huge", []string{"interpolate", "DIR/a.mid", "DIR/b.mid", "--steps", "1000000000", "-o", "DIR/out"}, []string{"--steps", "1000"}},
	{"steps-zero", []string{"interpolate", "DIR/a.mid", "DIR/b.mid", "--steps", "0", "-o", "DIR/out"}, []string{"--steps", "2"}},
	{"similarity-nan", []string{"similar", "DIR/a.mid", "--similarity", "NaN", "-o", "DIR/out"}, []string{"--similarity", "NaN"}},
	{"similarity-above-one", []string{"similar", "DIR/a.mid", "-s", "1.5", "-o", "DIR/out"}, []string{"--similarity", "0 to 1"}},
	{"similar-n-zero", []string{"similar", "DIR/a.mid", "-n", "0", "-o", "DIR/out"}, []string{"-n"}},
	{"amount-inf", []string{"decode", "--z", "DIR/z.npy", "--shift", "DIR/z.npy", "--amount", "Inf", "-o", "DIR/out"}, []string{"--amount", "finite"}},
	{"amount-nan", []string{"similar", "DIR/a.mid", "--shift", "DIR/z.npy", "--amount", "NaN", "-o", "DIR/out"}, []string{"--amount"}},
	{"humanize-temperature-inf", []string{"humanize", "DIR/a.mid", "-t", "Inf", "-o", "DIR/out"}, []string{"--temperature"}},
	{"tap-temperature-nan", []string{"tap", "DIR/a.mid", "-t", "NaN", "-o", "DIR/out"}, []string{"--temperature", "NaN"}},
	{"lr-negative", []string{"finetune", "DIR/a.mid", "-o", "DIR/n.mvae", "--lr", "-1"}, []string{"--lr"}},
	{"lr-inf", []string{"finetune", "DIR/a.mid", "-o", "DIR/n.mvae", "--lr", "Inf"}, []string{"--lr"}},
	{"batch-zero", []string{"finetune", "DIR/a.mid", "-o", "DIR/n.mvae", "--batch", "0"}, []string{"--batch"}},
	{"batch-huge", []string{"finetune", "DIR/a.mid", "-o", "DIR/n.mvae", "--batch", "2000000000"}, []string{"--batch"}},
	{"beta-negative", []string{"loss", "--x", "DIR/w.npy", "--eps", "DIR/w.npy", "--beta", "-2"}, []string{"--beta"}},
	{"threads-negative", []string{"generate", "--threads", "-4"}, []string{"--threads"}},
	{"bars-zero", []string{"data", "show", "DIR/a.mid", "--bars", "0"}, []string{"--bars"}},
	{"drop-above-one", []string{"finetune", "DIR/a.mid", "-o", "DIR/n.mvae", "--drop", "1.5"}, []string{"--drop"}},
	{"samples-negative", []string{"evaluate", "DIR/a.mid", "--samples", "-1"}, []string{"--samples"}},
	{"bpm-inf", []string{"generate", "-n", "1", "--bpm", "Inf", "-o", "DIR/out"}, []string{"--bpm"}},
	{"loop-zero", []string{"generate", "-n", "1", "--loop", "0", "-o", "DIR/out"}, []string{"--loop", "1 to 1024"}},
	{"program-huge", []string{"generate", "-n", "1", "--program", "300", "-o", "DIR/out"}, []string{"--program", "1 to 128"}},
	{"plot-bars-huge", []string{"plot", "DIR/a.mid", "--bars", "100000", "-o", "DIR/p.png"}, []string{"--bars"}},
	{"unknown-flag", []string{"generate", "--temprature", "0.5"}, []string{"unknown flag --temprature"}},
	{"missing-value", []string{"generate", "--bpm"}, []string{"--bpm needs a value"}},
}

func init() {
	for _, c := range flagCases {
		c := c
		Register(Case{
			Name: "flags/" + c.name,
			Make: func(dir string) ([]string, string, error) {
				if err := writeFlagCaseInputs(dir); err != nil {
					return nil, "", err
				}
				return expandDir(dir, c.args), "", nil
			},
			Want:  c.want,
			Usage: true,
		})
	}
}
