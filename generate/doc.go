// Package generate holds the sampler and the generation loop of spec §4,
// written once over a small Backend interface that both runtimes (onnxruntime
// in runtime/, pure Go in native/) implement: encode, conduct, decoder-init
// and decoder-step. Every sequence draws from its own SplitMix64 stream, so a
// seed gives the same notes on either runtime.
package generate
