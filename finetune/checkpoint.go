package finetune

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/musicvae-go/mvae/internal/fsutil"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/native"
)

// A checkpoint is a safetensors file: the current weights by name, the best
// weights ("best/NAME"), Adam's moments ("adam.m/NAME", "adam.v/NAME"), and
// in its metadata the step, Adam's step, the best validation loss and the
// history.
type ckMeta struct {
	Step     int     `json:"step"`
	AdamStep int     `json:"adam_step"`
	BestVal  float64 `json:"best_val"`
	BestStep int     `json:"best_step"`
	History  []Eval  `json:"history"`
	Config   string  `json:"config"`
}

// ckGroups are the prefixes of a checkpoint's tensors.
var ckGroups = []string{"", "best/", "adam.m/", "adam.v/"}

type checkpoint struct {
	meta          ckMeta
	weights, best model.Weights
	adam          *native.Adam
}

// CheckpointError is a checkpoint that cannot be resumed: damaged, of
// another model, or of a run that does not fit this one.
type CheckpointError struct {
	Path string
	Err  error
}

func (e *CheckpointError) Error() string { return e.Path + ": " + e.Err.Error() }
func (e *CheckpointError) Unwrap() error { return e.Err }

// ErrCheckpointAhead is wrapped by the error of a checkpoint whose step lies
// beyond the run's steps.
var ErrCheckpointAhead = errors.New("beyond the run's steps")

// MaxCheckpointSize bounds the checkpoints a resume reads.
const MaxCheckpointSize = 16 << 30

func writeCheckpoint(path string, c *model.Config, cur, best model.Weights, a *native.Adam, meta ckMeta) error {
	all := model.Weights{}
	var names []string
	for _, n := range cur.Names(c) {
		for _, g := range ckGroups {
			names = append(names, g+n)
		}
		all[n] = cur[n]
		all["best/"+n] = best[n]
		all["adam.m/"+n] = a.M[n]
		all["adam.v/"+n] = a.V[n]
	}
	meta.AdamStep = a.Step
	meta.Config = string(c.JSON())
	if math.IsInf(meta.BestVal, 1) {
		meta.BestVal = math.MaxFloat64
	}
	mj, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	return fsutil.WriteAtomic(path, func(w io.Writer) error {
		return model.WriteSafetensors(w, names, all, map[string]string{"mvae.checkpoint": string(mj)}, false)
	})
}

// readCheckpoint reads a checkpoint of model c for a run of steps steps and
// checks it as strictly as a bundle's weights: the config, every tensor's
// name, shape and values (finite; Adam's second moments not negative), and
// the steps (Adam's the run's, at most steps, the history up to it).
// Errors are *CheckpointError.
func readCheckpoint(path string, c *model.Config, steps int) (*checkpoint, error) {
	ck, err := parseCheckpoint(path, c, steps)
	if err != nil {
		return nil, &CheckpointError{Path: path, Err: err}
	}
	return ck, nil
}

func parseCheckpoint(path string, c *model.Config, steps int) (*checkpoint, error) {
	data, err := fsutil.ReadFileLimit(path, MaxCheckpointSize)
	if err != nil {
		return nil, err
	}
	all, meta, err := model.ReadSafetensors(data)
	if err != nil {
		return nil, err
	}
	var ck checkpoint
	mj, ok := meta["mvae.checkpoint"]
	if !ok {
		return nil, fmt.Errorf("not an mvae checkpoint: no mvae.checkpoint metadata")
	}
	if err := json.Unmarshal([]byte(mj), &ck.meta); err != nil {
		return nil, fmt.Errorf("not an mvae checkpoint: %v", err)
	}
	cc, err := model.ParseConfig([]byte(ck.meta.Config))
	if err != nil {
		return nil, fmt.Errorf("the checkpoint's config: %v", err)
	}
	if !cc.Equal(c) {
		return nil, fmt.Errorf("a checkpoint of another model (config %s; this model's is %s)", ck.meta.Config, c.JSON())
	}
	if err := ck.meta.check(steps); err != nil {
		return nil, err
	}
	ck.weights, ck.best = model.Weights{}, model.Weights{}
	ck.adam = native.NewAdam(c)
	ck.adam.Step = ck.meta.AdamStep
	dst := map[string]model.Weights{"": ck.weights, "best/": ck.best, "adam.m/": ck.adam.M, "adam.v/": ck.adam.V}
	var bad []string
	for _, g := range ckGroups {
		group := model.Weights{}
		for name, t := range all {
			if rest, ok := strings.CutPrefix(name, g); ok && (g != "" || !strings.Contains(name, "/")) {
				group[rest] = t
			}
		}
		if err := group.Check(c); err != nil {
			bad = append(bad, fmt.Sprintf("%s%v", groupLabel(g), err))
			continue
		}
		for name, t := range group {
			if err := t.CheckFinite(); err != nil {
				bad = append(bad, fmt.Sprintf("%s%s: %v", g, name, err))
			} else if g == "adam.v/" && negative(t.Data) {
				bad = append(bad, fmt.Sprintf("%s%s holds a negative second moment", g, name))
			}
			dst[g][name] = t
		}
	}
	for name := range all {
		if i := strings.Index(name, "/"); i >= 0 && dst[name[:i+1]] == nil {
			bad = append(bad, "unexpected tensor "+name)
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return nil, fmt.Errorf("damaged checkpoint: %s", strings.Join(bad, "; "))
	}
	if ck.meta.BestVal == math.MaxFloat64 {
		ck.meta.BestVal = math.Inf(1)
	}
	return &ck, nil
}

func groupLabel(g string) string {
	if g == "" {
		return "current "
	}
	return g + " "
}

func negative(x []float32) bool {
	for _, v := range x {
		if v < 0 {
			return true
		}
	}
	return false
}

// check compares the checkpoint's steps with each other and with a run of
// steps steps: a checkpoint is written after the validation of its step.
func (m *ckMeta) check(steps int) error {
	switch {
	case m.Step < 1:
		return fmt.Errorf("damaged checkpoint: step %d (checkpoints are written from step 1)", m.Step)
	case m.Step > steps:
		return fmt.Errorf("the checkpoint is at step %d, %w (%d)", m.Step, ErrCheckpointAhead, steps)
	case m.AdamStep != m.Step:
		return fmt.Errorf("damaged checkpoint: Adam's step %d is not the step %d", m.AdamStep, m.Step)
	case m.BestStep < -1 || m.BestStep > m.Step:
		return fmt.Errorf("damaged checkpoint: best step %d outside -1..%d", m.BestStep, m.Step)
	case len(m.History) == 0 || m.History[len(m.History)-1].Step != m.Step:
		return fmt.Errorf("damaged checkpoint: its history does not end at its step %d", m.Step)
	case math.IsNaN(m.BestVal) || math.IsInf(m.BestVal, 0):
		return fmt.Errorf("damaged checkpoint: best validation loss %v", m.BestVal)
	}
	prev := -1
	for _, h := range m.History {
		if h.Step <= prev {
			return fmt.Errorf("damaged checkpoint: history steps out of order (%d after %d)", h.Step, prev)
		}
		prev = h.Step
	}
	return nil
}
