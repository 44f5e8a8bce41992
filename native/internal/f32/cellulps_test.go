//go:build !amd64.v3

package f32

// cellExact: Cell's assembly has the bits of its portable loop, where Go
// does not fuse a multiply and an add.
const cellExact = true
