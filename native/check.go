package native

import (
	"fmt"

	"github.com/musicvae-go/mvae/model"
)

// checkBatch returns an error unless B is a batch of at least one sequence:
// an empty batch (an x.npy of zero rows) is bad data, not a programmer error.
func checkBatch(B int) error {
	if B < 1 {
		return fmt.Errorf("native: a batch of %d sequences; want at least 1", B)
	}
	return nil
}

// (The messages copy dims, so that dims does not escape and a check allocates
// nothing.)

// checkInput returns an error unless the input v holds B rows of the given
// dims: inputs may come from files, so a wrong length is bad data.
func checkInput(name string, v []float32, B int, dims ...int) error {
	n := B
	for _, d := range dims {
		n *= d
	}
	if len(v) != n {
		return fmt.Errorf("native: %s has %d values; want %d (%d x %v)", name, len(v), n, B, append([]int(nil), dims...))
	}
	return nil
}

// checkOutput panics unless the caller's output buffer out holds B rows of
// the given dims: the caller sizes its outputs, so a wrong length is a
// programmer error.
func checkOutput(name string, out []float32, B int, dims ...int) {
	n := B
	for _, d := range dims {
		n *= d
	}
	if len(out) != n {
		panic(fmt.Sprintf("native: output %s has %d values; want %d (%d x %v)", name, len(out), n, B, append([]int(nil), dims...)))
	}
}

// checkGrads panics unless g holds a gradient for every parameter of c in
// its shape (NewGrads makes such): the caller makes g, so anything else is a
// programmer error.
func checkGrads(c *model.Config, g model.Weights) {
	if err := g.Check(c); err != nil {
		panic("native: gradients not shaped like the model's weights (see NewGrads): " + err.Error())
	}
}

// checkLossInputs checks a training batch: B sequences of x [B, T, D] and
// eps [B, Z].
func (m *Model) checkLossInputs(x, fed, eps []float32, B int) error {
	c := m.cfg
	if err := checkBatch(B); err != nil {
		return err
	}
	if err := checkInput("x", x, B, c.T(), c.InputSize); err != nil {
		return err
	}
	if fed != nil {
		if err := checkInput("fed", fed, B, c.T(), c.InputSize); err != nil {
			return err
		}
	}
	return checkInput("eps", eps, B, c.ZSize)
}

// checkSplit refuses a split decoder the model does not have.
func (m *Model) checkSplit(k int) error {
	if n := len(m.cfg.SplitDepths()); k < 0 || k >= n {
		return fmt.Errorf("native: split decoder %d; the model has %d", k, n)
	}
	return nil
}
