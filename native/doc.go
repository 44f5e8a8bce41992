// Package native runs MusicVAE in pure Go (no cgo): the LSTM cell, the
// bidirectional multi-layer encoder, the conductor and the hierarchical
// decoder of the mvae/1 contract (spec §2), forward and backward, on the
// float32 kernels of native/internal/f32. Model implements
// generate.Backend, so the one generation loop drives it as it drives
// onnxruntime.
//
// Conventions (gonum's): the caller owns output buffers; a kernel panics on
// mismatched sizes (a programmer error); bad data is an error where it enters.
// Weights stay in PyTorch's layout, W [out, in] row-major, because every
// product here is out[b, j] = dot(x[b, :], W[j, :]): rows of W are contiguous.
package native
