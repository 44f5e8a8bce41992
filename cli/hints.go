package cli

import (
	"errors"
	"fmt"

	"github.com/musicvae-go/mvae/finetune"
	"github.com/musicvae-go/mvae/importer"
	"github.com/musicvae-go/mvae/internal/fsutil"
	"github.com/musicvae-go/mvae/runtime"
)

// flagHint adds the flags that answer an error of a package: the packages'
// errors name no flags of this command line.
func flagHint(err error) error {
	var ce *finetune.CheckpointError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, runtime.ErrNoLibrary):
		return fmt.Errorf("%w (or give --ort-lib PATH)", err)
	case errors.Is(err, runtime.ErrUnavailable):
		return fmt.Errorf("%w (--runtime native needs no onnxruntime)", err)
	case errors.Is(err, fsutil.ErrExists):
		return fmt.Errorf("%w (--force replaces it)", err)
	case errors.Is(err, importer.ErrNeedBarsSegments):
		return fmt.Errorf("%w: give --config C.json (or --bars and --segments)", err)
	case errors.Is(err, importer.ErrNeedBars):
		return fmt.Errorf("%w: give --bars (or --config C.json)", err)
	case errors.Is(err, finetune.ErrNoData):
		return fmt.Errorf("%w: give --data DATA.npz or MIDI files and folders", err)
	case errors.Is(err, finetune.ErrCheckpointAhead):
		return fmt.Errorf("%w (give more --steps, or drop --resume)", err)
	case errors.As(err, &ce):
		return fmt.Errorf("%w (delete the checkpoint, or drop --resume)", err)
	}
	return err
}
