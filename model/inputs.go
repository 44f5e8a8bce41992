package model

import (
	"fmt"

	"github.com/musicvae-go/mvae/music"
	"github.com/musicvae-go/mvae/npy"
)

// ReadX reads a batch of windows x [B, T, D] for the model: a .npy file, or
// the array x of a .npz file. It refuses another shape, an empty batch and
// non-finite values; errors name the file.
func (c *Config) ReadX(path string) (*Tensor, error) {
	w, err := music.ReadWindowsFile(path, c.MusicOptions(), "x")
	if err != nil {
		return nil, err
	}
	return &Tensor{Shape: []int{w.N, w.T, w.D}, Data: w.Data}, nil
}

// ReadBatch reads the inputs of the teacher-forced forward: x [B, T, D] (see
// ReadX) and eps [B, Z] (a .npy, or the array eps of a .npz) with the same B.
func (c *Config) ReadBatch(xPath, epsPath string) (x, eps *Tensor, err error) {
	if x, err = c.ReadX(xPath); err != nil {
		return nil, nil, err
	}
	B := x.Shape[0]
	if eps, _, err = npy.ReadArrayFile(epsPath, "eps"); err != nil {
		return nil, nil, err
	}
	if err := eps.CheckShape(B, c.ZSize); err != nil {
		return nil, nil, fmt.Errorf("%s: %v (a row of z_size %d for each of the %d windows of %s)", epsPath, err, c.ZSize, B, xPath)
	}
	if err := eps.CheckFinite(); err != nil {
		return nil, nil, fmt.Errorf("%s: %v", epsPath, err)
	}
	return x, eps, nil
}

// ReadLatents reads latent vectors z [B, Z] (or one, [Z]): a .npy, or the
// array z or mu of a .npz. It refuses another shape, no rows and
// non-finite values; errors name the file.
func (c *Config) ReadLatents(path string) (*Tensor, error) {
	a, _, err := npy.ReadArrayFile(path, "z", "mu")
	if err != nil {
		return nil, err
	}
	if len(a.Shape) == 1 {
		a.Shape = []int{1, a.Shape[0]}
	}
	if err := a.CheckShape(-1, c.ZSize); err != nil {
		return nil, fmt.Errorf("%s: %v (the model's z_size is %d)", path, err, c.ZSize)
	}
	if err := a.CheckBatch(-1, c.ZSize); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return a, nil
}
