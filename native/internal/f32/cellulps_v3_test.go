//go:build amd64.v3

package f32

// cellExact: with GOAMD64 v3 Go fuses multiply-adds in the portable loop,
// which the assembly does not.
const cellExact = false
