// Package f32 holds the float32 kernels of the native runtime: Dot, Axpy,
// one Gemm for every matrix product (forward and backward), and the
// activations (Expf, Sigmoid, Tanh, Softplus).
//
// Conventions (gonum's): each kernel's doc comment is its plain reference
// loop; the caller owns every output; a kernel panics on mismatched sizes (a
// programmer error) and reads and writes nothing outside the slices it is
// given. On amd64 the inner products run in AVX2/FMA assembly (simd_amd64.s)
// where the CPU has it; the assembly and the portable loops share one name
// per kernel (dot, gemm4, axpy), chosen by build tag, and -tags purego keeps
// the portable loops. Both are tested and fuzzed against the reference loops.
package f32
