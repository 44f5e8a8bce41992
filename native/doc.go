// Package native runs MusicVAE in pure Go (no cgo): the LSTM cell, the
// encoder (bidirectional, multi-layer; flat, or hierarchical levels over
// pieces of the window), the conductor (or none: the decoders are
// conditioned on z), and one decoder or several split decoders, of the
// mvae/1 contract (spec §2) extended to Magenta's families
// (docs/FAMILIES.md §2.2), forward and backward, on the float32 kernels of
// native/internal/f32. Model implements generate.Backend, so the one
// generation loop drives it as it drives onnxruntime.
//
// Forward and LossAndGrad take windows of tokens [B, T, D] and derive the
// encoder's input [B, T, D_in] themselves (music.EncoderInput.Apply with the
// config's encoder_input); Encode takes the encoder's input.
//
// Conventions (gonum's): the caller owns output buffers; a kernel panics on
// mismatched sizes (a programmer error); bad data is an error where it enters.
// Weights arrive in PyTorch's layout, W [out, in] row-major, and are packed
// once, at New, into a matrix (matrix.go): panels of 16 rows of W,
// transposed, the layout of f32.MulAddPacked's register-blocked tiles. A
// large product is split by panels, and an LSTM cell by batch rows, between
// the cores (split.go); every entry is computed by the same operations
// whatever the split, so results repeat bit for bit. A decoder step
// allocates nothing.
package native
