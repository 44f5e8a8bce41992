// Package native runs MusicVAE in pure Go (no cgo): float32 tensors and
// kernels, LSTMs, the bidirectional encoder, the hierarchical decoder, and
// backpropagation with Adam for fine-tuning.
package native
