package hostile

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"

	"github.com/musicvae-go/mvae/finetune"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/model/defaultmodel"
	"github.com/musicvae-go/mvae/npy"
)

// The checkpoint cases resume `mvae finetune` of the embedded default model
// from a checkpoint that was written by a real run of one step and then
// damaged: each must be refused with an error that names the checkpoint.

// checkpointCase makes data.npz and run.ckpt (a one-step checkpoint of the
// default model, passed through damage) and resumes a run of steps steps.
func checkpointCase(name string, steps string, damage func(ck []byte) ([]byte, error), want ...string) {
	Register(Case{
		Name: "checkpoint/" + name,
		Make: func(dir string) ([]string, string, error) {
			b, err := defaultmodel.Bundle()
			if err != nil {
				return nil, "", err
			}
			c := b.Config()
			train := windows(c, 2)
			data, err := writeArrays(dir, "data.npz", map[string]*npy.Array{"train": train})
			if err != nil {
				return nil, "", err
			}
			ck := filepath.Join(dir, "run.ckpt")
			o := finetune.Options{Steps: 1, Batch: 2, LR: 1e-4, LRDecay: 1, ValEvery: 1, Checkpoint: ck, Workers: 1}
			w, err := b.Weights()
			if err != nil {
				return nil, "", err
			}
			if _, err := finetune.Run(c, w, train.Data, train.Shape[0], nil, 0, o); err != nil {
				return nil, "", err
			}
			raw, err := os.ReadFile(ck)
			if err != nil {
				return nil, "", err
			}
			if raw, err = damage(raw); err != nil {
				return nil, "", err
			}
			if err := os.WriteFile(ck, raw, 0o644); err != nil {
				return nil, "", err
			}
			return []string{"finetune", "--data", data, "-o", filepath.Join(dir, "new.mvae"), "--steps", steps, "--batch", "2",
				"--checkpoint", ck, "--resume"}, ck, nil
		},
		Want: want,
	})
}

// editCheckpoint rewrites a checkpoint's tensors and metadata.
func editCheckpoint(edit func(w model.Weights, meta map[string]string)) func([]byte) ([]byte, error) {
	return func(raw []byte) ([]byte, error) {
		w, meta, err := model.ReadSafetensors(raw)
		if err != nil {
			return nil, err
		}
		edit(w, meta)
		names := make([]string, 0, len(w))
		for n := range w {
			names = append(names, n)
		}
		var buf bytes.Buffer
		err = model.WriteSafetensors(&buf, names, w, meta, false)
		return buf.Bytes(), err
	}
}

// firstParam is the name of the model's first parameter.
func firstParam() string {
	b, err := defaultmodel.Bundle()
	if err != nil {
		return ""
	}
	return b.Config().Params()[0].Name
}

func init() {
	checkpointCase("short-adam-tensor", "2", editCheckpoint(func(w model.Weights, _ map[string]string) {
		t := w["adam.m/"+firstParam()]
		t.Shape, t.Data = []int{5}, t.Data[:5]
	}), "adam.m/", "wrong shape")
	checkpointCase("step-beyond-steps", "1", editCheckpoint(func(_ model.Weights, meta map[string]string) {
		s := meta["mvae.checkpoint"]
		s = strings.Replace(s, `"step":1,`, `"step":40,`, 1)
		s = strings.Replace(s, `"adam_step":1,`, `"adam_step":40,`, 1)
		meta["mvae.checkpoint"] = s
	}), "step 40", "beyond")
	checkpointCase("nan-weight", "2", editCheckpoint(func(w model.Weights, _ map[string]string) {
		w["best/"+firstParam()].Data[0] = nan
	}), "best/", "NaN")
	checkpointCase("truncated", "2", func(raw []byte) ([]byte, error) { return raw[:len(raw)/2], nil }, "safetensors")
	checkpointCase("not-a-checkpoint", "2", editCheckpoint(func(_ model.Weights, meta map[string]string) {
		delete(meta, "mvae.checkpoint")
	}), "not an mvae checkpoint")
}
