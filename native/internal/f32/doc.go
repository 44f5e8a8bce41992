// Package f32 holds the float32 kernels of the native runtime: Dot, Axpy,
// Gemm, the packed products MulAddPacked and MulAddPackedT (weights packed
// once by Pack or PackT; every product of the model, forward and backward),
// the LSTM Cell, and the activations (Expf, Sigmoid, Tanh, Softplus).
//
// Conventions (gonum's): each kernel's doc comment is its plain reference
// loop; the caller owns every output; a kernel panics on mismatched sizes (a
// programmer error) and reads and writes nothing outside the slices it is
// given. On amd64 the inner loops run in AVX2/FMA assembly (simd_amd64.s,
// packed_amd64.s, cell_amd64.s), with AVX-512 tiles where the CPU has them
// (golang.org/x/sys/cpu, at run time); the assembly and the portable loops
// share one name per kernel (dot, gemm4, axpy, mulAddPacked, cellAsm),
// chosen by build tag, and -tags purego keeps the portable loops. Every
// variant is tested and fuzzed against the reference loops.
package f32
