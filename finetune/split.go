package finetune

import (
	"errors"
	"fmt"

	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/music"
	"github.com/musicvae-go/mvae/npy"
)

// Data are the windows a run trains on and validates on.
type Data struct {
	Train, Val *music.Windows
}

// ErrNoData is returned by LoadData when it is given neither a data file
// nor MIDI files.
var ErrNoData = errors.New("fine-tuning needs windows: a data build file (.npz) or MIDI files and folders")

// LoadData reads the windows of a run for model c and decides the
// validation split:
//   - from dataFile (an `mvae data build` file, "" for none), its array train
//     trains and its array validation (which may be missing or empty)
//     validates; the test array is left alone;
//   - MIDI files and folders are split by music.BuildDataset (bo's Options
//     are the model's): its train split trains, its validation and test
//     splits validate.
//
// Every array must hold windows of the model's shape with finite values;
// there must be at least one training window. The report is that of the
// MIDI files (nil when there are none); errors name the file.
func LoadData(c *model.Config, dataFile string, midi []string, bo music.BuildOptions) (*Data, *music.BuildReport, error) {
	o := c.MusicOptions()
	d := &Data{Train: &music.Windows{T: o.Steps(), D: o.Representation.Depth()}, Val: &music.Windows{T: o.Steps(), D: o.Representation.Depth()}}
	if dataFile != "" {
		held, m, err := npy.ReadArrays(dataFile, "train", "validation")
		if err != nil {
			return nil, nil, err
		}
		for _, part := range []struct {
			name string
			dst  *music.Windows
		}{{"train", d.Train}, {"validation", d.Val}} {
			a, ok := m[part.name]
			if !ok {
				continue
			}
			w, err := music.WindowsOf(a, o)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: array %s: %v", dataFile, part.name, err)
			}
			part.dst.Append(w)
		}
		if d.Train.N == 0 {
			return nil, nil, fmt.Errorf("%s has no train windows (it holds %s)", dataFile, npy.Held(held))
		}
	}
	var rep *music.BuildReport
	if len(midi) > 0 {
		bo.Options = o
		ds, r, err := music.BuildDataset(midi, bo)
		rep = r
		if err != nil {
			return nil, rep, err
		}
		d.Train.Append(ds.Splits[music.Train])
		d.Val.Append(ds.Splits[music.Validation])
		d.Val.Append(ds.Splits[music.Test])
	}
	if d.Train.N == 0 {
		return nil, rep, ErrNoData
	}
	return d, rep, nil
}
