//go:build amd64 && !purego

#include "textflag.h"

// func dotBF16AVX2(x []float32, w []uint16) float32
// sum_k x[k] w[k] for k < len(x), len(x) a multiple of 8 (checked by
// the caller, as len(w) >= len(x)): bfloat16 widened by a 16-bit shift (VPMOVZXWD, VPSLLD); four 8-wide FMA
// accumulators over 32 values a round, then 8 a round.
TEXT ·dotBF16AVX2(SB), NOSPLIT, $0-52
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	MOVQ w_base+24(FP), DI
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	XORQ AX, AX
	MOVQ CX, DX
	ANDQ $-32, DX

dotBF16AVX232:
	CMPQ AX, DX
	JGE  dotBF16AVX28
	VPMOVZXWD 0(DI)(AX*2), Y4
	VPSLLD $16, Y4, Y4
	VPMOVZXWD 16(DI)(AX*2), Y5
	VPSLLD $16, Y5, Y5
	VPMOVZXWD 32(DI)(AX*2), Y6
	VPSLLD $16, Y6, Y6
	VPMOVZXWD 48(DI)(AX*2), Y7
	VPSLLD $16, Y7, Y7
	VFMADD231PS 0(SI)(AX*4), Y4, Y0
	VFMADD231PS 32(SI)(AX*4), Y5, Y1
	VFMADD231PS 64(SI)(AX*4), Y6, Y2
	VFMADD231PS 96(SI)(AX*4), Y7, Y3
	ADDQ $32, AX
	JMP  dotBF16AVX232

dotBF16AVX28:
	CMPQ AX, CX
	JGE  dotBF16AVX2reduce
	VPMOVZXWD 0(DI)(AX*2), Y4
	VPSLLD $16, Y4, Y4
	VFMADD231PS (SI)(AX*4), Y4, Y0
	ADDQ $8, AX
	JMP  dotBF16AVX28

dotBF16AVX2reduce:
	VADDPS       Y1, Y0, Y0
	VADDPS       Y3, Y2, Y2
	VADDPS       Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VHADDPS      X0, X0, X0
	VHADDPS      X0, X0, X0
	VZEROUPPER
	MOVSS X0, ret+48(FP)
	RET

// func dotF16AVX2(x []float32, w []uint16) float32
// sum_k x[k] w[k] for k < len(x), len(x) a multiple of 8 (checked by
// the caller, as len(w) >= len(x)): IEEE half widened by F16C (VCVTPH2PS); four 8-wide FMA
// accumulators over 32 values a round, then 8 a round.
TEXT ·dotF16AVX2(SB), NOSPLIT, $0-52
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	MOVQ w_base+24(FP), DI
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	XORQ AX, AX
	MOVQ CX, DX
	ANDQ $-32, DX

dotF16AVX232:
	CMPQ AX, DX
	JGE  dotF16AVX28
	VCVTPH2PS 0(DI)(AX*2), Y4
	VCVTPH2PS 16(DI)(AX*2), Y5
	VCVTPH2PS 32(DI)(AX*2), Y6
	VCVTPH2PS 48(DI)(AX*2), Y7
	VFMADD231PS 0(SI)(AX*4), Y4, Y0
	VFMADD231PS 32(SI)(AX*4), Y5, Y1
	VFMADD231PS 64(SI)(AX*4), Y6, Y2
	VFMADD231PS 96(SI)(AX*4), Y7, Y3
	ADDQ $32, AX
	JMP  dotF16AVX232

dotF16AVX28:
	CMPQ AX, CX
	JGE  dotF16AVX2reduce
	VCVTPH2PS 0(DI)(AX*2), Y4
	VFMADD231PS (SI)(AX*4), Y4, Y0
	ADDQ $8, AX
	JMP  dotF16AVX28

dotF16AVX2reduce:
	VADDPS       Y1, Y0, Y0
	VADDPS       Y3, Y2, Y2
	VADDPS       Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VHADDPS      X0, X0, X0
	VHADDPS      X0, X0, X0
	VZEROUPPER
	MOVSS X0, ret+48(FP)
	RET

// func dotI8AVX2(x []float32, q []int8) float32
// sum_k x[k] q[k] for k < len(x), len(x) a multiple of 8 (checked by
// the caller, as len(q) >= len(x)): int8 sign-extended and converted (VPMOVSXBD, VCVTDQ2PS); four 8-wide FMA
// accumulators over 32 values a round, then 8 a round.
TEXT ·dotI8AVX2(SB), NOSPLIT, $0-52
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	MOVQ q_base+24(FP), DI
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	XORQ AX, AX
	MOVQ CX, DX
	ANDQ $-32, DX

dotI8AVX232:
	CMPQ AX, DX
	JGE  dotI8AVX28
	VPMOVSXBD 0(DI)(AX*1), Y4
	VCVTDQ2PS Y4, Y4
	VPMOVSXBD 8(DI)(AX*1), Y5
	VCVTDQ2PS Y5, Y5
	VPMOVSXBD 16(DI)(AX*1), Y6
	VCVTDQ2PS Y6, Y6
	VPMOVSXBD 24(DI)(AX*1), Y7
	VCVTDQ2PS Y7, Y7
	VFMADD231PS 0(SI)(AX*4), Y4, Y0
	VFMADD231PS 32(SI)(AX*4), Y5, Y1
	VFMADD231PS 64(SI)(AX*4), Y6, Y2
	VFMADD231PS 96(SI)(AX*4), Y7, Y3
	ADDQ $32, AX
	JMP  dotI8AVX232

dotI8AVX28:
	CMPQ AX, CX
	JGE  dotI8AVX2reduce
	VPMOVSXBD 0(DI)(AX*1), Y4
	VCVTDQ2PS Y4, Y4
	VFMADD231PS (SI)(AX*4), Y4, Y0
	ADDQ $8, AX
	JMP  dotI8AVX28

dotI8AVX2reduce:
	VADDPS       Y1, Y0, Y0
	VADDPS       Y3, Y2, Y2
	VADDPS       Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VHADDPS      X0, X0, X0
	VHADDPS      X0, X0, X0
	VZEROUPPER
	MOVSS X0, ret+48(FP)
	RET
