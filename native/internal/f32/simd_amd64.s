//go:build amd64 && !purego

#include "textflag.h"

// func dotAVX2(x, y []float32) float32
// Four 8-wide FMA accumulators over 32 floats a round, then 8 a round, then
// one at a time. len(y) >= len(x) is checked by the caller.
TEXT ·dotAVX2(SB), NOSPLIT, $0-52
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	MOVQ y_base+24(FP), DI
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	XORQ AX, AX
	MOVQ CX, DX
	ANDQ $-32, DX

dot32:
	CMPQ AX, DX
	JGE  dot8start
	VMOVUPS (SI)(AX*4), Y4
	VMOVUPS 32(SI)(AX*4), Y5
	VMOVUPS 64(SI)(AX*4), Y6
	VMOVUPS 96(SI)(AX*4), Y7
	VFMADD231PS (DI)(AX*4), Y4, Y0
	VFMADD231PS 32(DI)(AX*4), Y5, Y1
	VFMADD231PS 64(DI)(AX*4), Y6, Y2
	VFMADD231PS 96(DI)(AX*4), Y7, Y3
	ADDQ $32, AX
	JMP  dot32

dot8start:
	MOVQ CX, DX
	ANDQ $-8, DX

dot8:
	CMPQ AX, DX
	JGE  dotreduce
	VMOVUPS (SI)(AX*4), Y4
	VFMADD231PS (DI)(AX*4), Y4, Y0
	ADDQ $8, AX
	JMP  dot8

dotreduce:
	VADDPS       Y1, Y0, Y0
	VADDPS       Y3, Y2, Y2
	VADDPS       Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VHADDPS      X0, X0, X0
	VHADDPS      X0, X0, X0

dot1:
	CMPQ AX, CX
	JGE  dotdone
	VMOVSS (SI)(AX*4), X4
	VFMADD231SS (DI)(AX*4), X4, X0
	INCQ AX
	JMP  dot1

dotdone:
	VZEROUPPER
	MOVSS X0, ret+48(FP)
	RET

// func axpyAVX2(y []float32, a float32, x []float32)
// y[k] += a * x[k] for k < len(x); len(y) >= len(x) is checked by the caller.
TEXT ·axpyAVX2(SB), NOSPLIT, $0-56
	MOVQ         y_base+0(FP), DI
	VBROADCASTSS a+24(FP), Y15
	MOVQ         x_base+32(FP), SI
	MOVQ         x_len+40(FP), CX
	XORQ         AX, AX
	MOVQ         CX, DX
	ANDQ         $-32, DX

axpy32:
	CMPQ AX, DX
	JGE  axpy8start
	VMOVUPS (DI)(AX*4), Y0
	VMOVUPS 32(DI)(AX*4), Y1
	VMOVUPS 64(DI)(AX*4), Y2
	VMOVUPS 96(DI)(AX*4), Y3
	VFMADD231PS (SI)(AX*4), Y15, Y0
	VFMADD231PS 32(SI)(AX*4), Y15, Y1
	VFMADD231PS 64(SI)(AX*4), Y15, Y2
	VFMADD231PS 96(SI)(AX*4), Y15, Y3
	VMOVUPS Y0, (DI)(AX*4)
	VMOVUPS Y1, 32(DI)(AX*4)
	VMOVUPS Y2, 64(DI)(AX*4)
	VMOVUPS Y3, 96(DI)(AX*4)
	ADDQ $32, AX
	JMP  axpy32

axpy8start:
	MOVQ CX, DX
	ANDQ $-8, DX

axpy8:
	CMPQ AX, DX
	JGE  axpy1
	VMOVUPS (DI)(AX*4), Y0
	VFMADD231PS (SI)(AX*4), Y15, Y0
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ $8, AX
	JMP  axpy8

axpy1:
	CMPQ AX, CX
	JGE  axpydone
	VMOVSS (DI)(AX*4), X0
	VFMADD231SS (SI)(AX*4), X15, X0
	VMOVSS X0, (DI)(AX*4)
	INCQ AX
	JMP  axpy1

axpydone:
	VZEROUPPER
	RET

// func dot4AVX2(x, w []float32, ldw int, out *[4]float32)
// out[i] = dot(x, w[i*ldw:i*ldw+n]) for four rows of w, ldw apart, n = len(x):
// x is loaded once for four fused multiply-adds. len(w) >= 3*ldw + len(x) is
// checked by the caller.
TEXT ·dot4AVX2(SB), NOSPLIT, $0-64
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	MOVQ w_base+24(FP), DI
	MOVQ ldw+48(FP), BX
	MOVQ out+56(FP), R8
	LEAQ (DI)(BX*4), R9
	LEAQ (R9)(BX*4), R10
	LEAQ (R10)(BX*4), R11
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	XORQ AX, AX
	MOVQ CX, DX
	ANDQ $-8, DX

dot4loop:
	CMPQ AX, DX
	JGE  dot4reduce
	VMOVUPS (SI)(AX*4), Y4
	VFMADD231PS (DI)(AX*4), Y4, Y0
	VFMADD231PS (R9)(AX*4), Y4, Y1
	VFMADD231PS (R10)(AX*4), Y4, Y2
	VFMADD231PS (R11)(AX*4), Y4, Y3
	ADDQ $8, AX
	JMP  dot4loop

dot4reduce:
	VHADDPS      Y1, Y0, Y0
	VHADDPS      Y3, Y2, Y2
	VHADDPS      Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0

dot4tail:
	CMPQ AX, CX
	JGE  dot4done
	VBROADCASTSS (SI)(AX*4), X4
	VMOVSS       (DI)(AX*4), X5
	VINSERTPS    $0x10, (R9)(AX*4), X5, X5
	VINSERTPS    $0x20, (R10)(AX*4), X5, X5
	VINSERTPS    $0x30, (R11)(AX*4), X5, X5
	VFMADD231PS  X5, X4, X0
	INCQ AX
	JMP  dot4tail

dot4done:
	VMOVUPS X0, (R8)
	VZEROUPPER
	RET
