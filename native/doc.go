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
// Weights stay in PyTorch's layout, W [out, in] row-major, because every
// product here is out[b, j] = dot(x[b, :], W[j, :]): rows of W are contiguous.
package native
