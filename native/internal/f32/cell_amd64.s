//go:build amd64 && !purego

#include "textflag.h"

// The LSTM cell of cell.go, eight units at a time, with the operations of
// Expf, Sigmoid and Tanh in their order (a multiply and an add, never fused,
// as the Go code compiles for GOAMD64 v1 and v2): the same bits as the
// portable loop there.

DATA cellLog2e<>+0(SB)/4, $0x3fb8aa3b
GLOBL cellLog2e<>(SB), RODATA|NOPTR, $4
DATA cellHalf<>+0(SB)/4, $0x3f000000
GLOBL cellHalf<>(SB), RODATA|NOPTR, $4
DATA cellC1<>+0(SB)/4, $0x3f318000
GLOBL cellC1<>(SB), RODATA|NOPTR, $4
DATA cellC2<>+0(SB)/4, $0x395e8083
GLOBL cellC2<>(SB), RODATA|NOPTR, $4
DATA cellP0<>+0(SB)/4, $0x39506967
GLOBL cellP0<>(SB), RODATA|NOPTR, $4
DATA cellP1<>+0(SB)/4, $0x3ab743ce
GLOBL cellP1<>(SB), RODATA|NOPTR, $4
DATA cellP2<>+0(SB)/4, $0x3c088908
GLOBL cellP2<>(SB), RODATA|NOPTR, $4
DATA cellP3<>+0(SB)/4, $0x3d2aa9c1
GLOBL cellP3<>(SB), RODATA|NOPTR, $4
DATA cellP4<>+0(SB)/4, $0x3e2aaaaa
GLOBL cellP4<>(SB), RODATA|NOPTR, $4
DATA cellP5<>+0(SB)/4, $0x3f000000
GLOBL cellP5<>(SB), RODATA|NOPTR, $4
DATA cellOne<>+0(SB)/4, $0x3f800000
GLOBL cellOne<>(SB), RODATA|NOPTR, $4
DATA cellTwo<>+0(SB)/4, $0x40000000
GLOBL cellTwo<>(SB), RODATA|NOPTR, $4
DATA cellHi<>+0(SB)/4, $0x42b17217
GLOBL cellHi<>(SB), RODATA|NOPTR, $4
DATA cellLo<>+0(SB)/4, $0xc2aeac4f
GLOBL cellLo<>(SB), RODATA|NOPTR, $4
DATA cellInf<>+0(SB)/4, $0x7f800000
GLOBL cellInf<>(SB), RODATA|NOPTR, $4
DATA cellSign<>+0(SB)/4, $0x80000000
GLOBL cellSign<>(SB), RODATA|NOPTR, $4
DATA cellBias<>+0(SB)/4, $127
GLOBL cellBias<>(SB), RODATA|NOPTR, $4

// EXPF sets Y0 = Expf(Y0), clobbering Y1-Y6:
//
//	t = x*log2e + 0.5;  n = floor(t)
//	r = (x - n*C1) + n*C2;  z = r*r
//	p = (((((P0*r + P1)*r + P2)*r + P3)*r + P4)*r + P5)*z + r + 1
//	e = p * 2^n;  +Inf above hi, 0 below lo, x where x is NaN
#define EXPF \
	VBROADCASTSS cellLog2e<>(SB), Y1 \
	VMULPS       Y1, Y0, Y1 \
	VBROADCASTSS cellHalf<>(SB), Y2 \
	VADDPS       Y2, Y1, Y1 \
	VROUNDPS     $9, Y1, Y2 \
	VBROADCASTSS cellC1<>(SB), Y3 \
	VMULPS       Y3, Y2, Y3 \
	VSUBPS       Y3, Y0, Y3 \
	VBROADCASTSS cellC2<>(SB), Y4 \
	VMULPS       Y4, Y2, Y4 \
	VADDPS       Y4, Y3, Y3 \
	VMULPS       Y3, Y3, Y4 \
	VBROADCASTSS cellP0<>(SB), Y5 \
	VMULPS       Y3, Y5, Y5 \
	VBROADCASTSS cellP1<>(SB), Y1 \
	VADDPS       Y1, Y5, Y5 \
	VMULPS       Y3, Y5, Y5 \
	VBROADCASTSS cellP2<>(SB), Y1 \
	VADDPS       Y1, Y5, Y5 \
	VMULPS       Y3, Y5, Y5 \
	VBROADCASTSS cellP3<>(SB), Y1 \
	VADDPS       Y1, Y5, Y5 \
	VMULPS       Y3, Y5, Y5 \
	VBROADCASTSS cellP4<>(SB), Y1 \
	VADDPS       Y1, Y5, Y5 \
	VMULPS       Y3, Y5, Y5 \
	VBROADCASTSS cellP5<>(SB), Y1 \
	VADDPS       Y1, Y5, Y5 \
	VMULPS       Y4, Y5, Y5 \
	VADDPS       Y3, Y5, Y5 \
	VBROADCASTSS cellOne<>(SB), Y1 \
	VADDPS       Y1, Y5, Y5 \
	VCVTTPS2DQ   Y2, Y2 \
	VPBROADCASTD cellBias<>(SB), Y1 \
	VPADDD       Y1, Y2, Y2 \
	VPSLLD       $23, Y2, Y2 \
	VMULPS       Y2, Y5, Y5 \
	VBROADCASTSS cellHi<>(SB), Y1 \
	VCMPPS       $0x1e, Y1, Y0, Y6 \
	VBROADCASTSS cellInf<>(SB), Y1 \
	VBLENDVPS    Y6, Y1, Y5, Y5 \
	VBROADCASTSS cellLo<>(SB), Y1 \
	VCMPPS       $0x11, Y1, Y0, Y6 \
	VANDNPS      Y5, Y6, Y5 \
	VCMPPS       $3, Y0, Y0, Y6 \
	VBLENDVPS    Y6, Y0, Y5, Y0

// SIGMOID sets Y0 = 1 / (1 + Expf(-Y0)), clobbering Y1-Y6.
#define SIGMOID \
	VBROADCASTSS cellSign<>(SB), Y1 \
	VXORPS       Y1, Y0, Y0 \
	EXPF \
	VBROADCASTSS cellOne<>(SB), Y1 \
	VADDPS       Y1, Y0, Y0 \
	VDIVPS       Y0, Y1, Y0

// TANH sets Y0 = 1 - 2 / (Expf(2 Y0) + 1), clobbering Y1-Y6.
#define TANH \
	VADDPS       Y0, Y0, Y0 \
	EXPF \
	VBROADCASTSS cellOne<>(SB), Y1 \
	VADDPS       Y1, Y0, Y0 \
	VBROADCASTSS cellTwo<>(SB), Y2 \
	VDIVPS       Y0, Y2, Y0 \
	VSUBPS       Y0, Y1, Y0

// func cellAVX2(n int, a *float32, H int, cPrev, c, h *float32, act *[5]*float32)
// Units k < n (a multiple of 8) of one row: gates a[k], a[H+k], a[2H+k],
// a[3H+k]; act, when not nil, points at the five rows i, f, g, o, tanh(c)
// to fill.
TEXT ·cellAVX2(SB), NOSPLIT, $0-56
	MOVQ n+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ H+16(FP), BX
	MOVQ cPrev+24(FP), DI
	MOVQ c+32(FP), DX
	MOVQ h+40(FP), R8
	MOVQ act+48(FP), R12
	SHLQ $2, BX
	LEAQ (SI)(BX*1), R9
	LEAQ (R9)(BX*1), R10
	LEAQ (R10)(BX*1), R11
	XORQ AX, AX

cellloop:
	CMPQ    AX, CX
	JGE     celldone
	VMOVUPS (SI)(AX*4), Y0
	SIGMOID
	VMOVAPS Y0, Y8
	VMOVUPS (R9)(AX*4), Y0
	SIGMOID
	VMOVAPS Y0, Y9
	VMOVUPS (R10)(AX*4), Y0
	TANH
	VMOVAPS Y0, Y10
	VMOVUPS (R11)(AX*4), Y0
	SIGMOID
	VMOVAPS Y0, Y11
	VMULPS  (DI)(AX*4), Y9, Y12
	VMULPS  Y10, Y8, Y13
	VADDPS  Y13, Y12, Y12
	VMOVUPS Y12, (DX)(AX*4)
	VMOVAPS Y12, Y0
	TANH
	VMULPS  Y0, Y11, Y13
	VMOVUPS Y13, (R8)(AX*4)
	TESTQ   R12, R12
	JZ      cellnext
	MOVQ    0(R12), R13
	VMOVUPS Y8, (R13)(AX*4)
	MOVQ    8(R12), R13
	VMOVUPS Y9, (R13)(AX*4)
	MOVQ    16(R12), R13
	VMOVUPS Y10, (R13)(AX*4)
	MOVQ    24(R12), R13
	VMOVUPS Y11, (R13)(AX*4)
	MOVQ    32(R12), R13
	VMOVUPS Y0, (R13)(AX*4)

cellnext:
	ADDQ $8, AX
	JMP  cellloop

celldone:
	VZEROUPPER
	RET

// The AVX-512 cell: sixteen units at a time, the constants in Z14-Z31.
// EXPFZ sets Z0 = Expf(Z0), clobbering Z1-Z5 and K1-K3 (EXPF's steps).
#define EXPFZ \
	VMULPS      Z16, Z0, Z1 \
	VADDPS      Z17, Z1, Z1 \
	VRNDSCALEPS $9, Z1, Z2 \
	VMULPS      Z18, Z2, Z3 \
	VSUBPS      Z3, Z0, Z3 \
	VMULPS      Z19, Z2, Z4 \
	VADDPS      Z4, Z3, Z3 \
	VMULPS      Z3, Z3, Z4 \
	VMULPS      Z3, Z20, Z5 \
	VADDPS      Z21, Z5, Z5 \
	VMULPS      Z3, Z5, Z5 \
	VADDPS      Z22, Z5, Z5 \
	VMULPS      Z3, Z5, Z5 \
	VADDPS      Z23, Z5, Z5 \
	VMULPS      Z3, Z5, Z5 \
	VADDPS      Z24, Z5, Z5 \
	VMULPS      Z3, Z5, Z5 \
	VADDPS      Z25, Z5, Z5 \
	VMULPS      Z4, Z5, Z5 \
	VADDPS      Z3, Z5, Z5 \
	VADDPS      Z26, Z5, Z5 \
	VCVTTPS2DQ  Z2, Z2 \
	VPADDD      Z15, Z2, Z2 \
	VPSLLD      $23, Z2, Z2 \
	VMULPS      Z2, Z5, Z5 \
	VCMPPS      $0x1e, Z28, Z0, K1 \
	VBLENDMPS   Z30, Z5, K1, Z5 \
	VCMPPS      $0x11, Z29, Z0, K2 \
	VBLENDMPS   Z14, Z5, K2, Z5 \
	VCMPPS      $3, Z0, Z0, K3 \
	VBLENDMPS   Z0, Z5, K3, Z0

#define SIGMOIDZ \
	VPXORD Z31, Z0, Z0 \
	EXPFZ \
	VADDPS Z26, Z0, Z0 \
	VDIVPS Z0, Z26, Z0

#define TANHZ \
	VADDPS Z0, Z0, Z0 \
	EXPFZ \
	VADDPS Z26, Z0, Z0 \
	VDIVPS Z0, Z27, Z0 \
	VSUBPS Z0, Z26, Z0

// func cellAVX512(n int, a *float32, H int, cPrev, c, h *float32, act *[5]*float32)
// cellAVX2 sixteen units at a time: n is a multiple of 16.
TEXT ·cellAVX512(SB), NOSPLIT, $0-56
	MOVQ n+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ H+16(FP), BX
	MOVQ cPrev+24(FP), DI
	MOVQ c+32(FP), DX
	MOVQ h+40(FP), R8
	MOVQ act+48(FP), R12
	SHLQ $2, BX
	LEAQ (SI)(BX*1), R9
	LEAQ (R9)(BX*1), R10
	LEAQ (R10)(BX*1), R11
	VBROADCASTSS cellLog2e<>(SB), Z16
	VBROADCASTSS cellHalf<>(SB), Z17
	VBROADCASTSS cellC1<>(SB), Z18
	VBROADCASTSS cellC2<>(SB), Z19
	VBROADCASTSS cellP0<>(SB), Z20
	VBROADCASTSS cellP1<>(SB), Z21
	VBROADCASTSS cellP2<>(SB), Z22
	VBROADCASTSS cellP3<>(SB), Z23
	VBROADCASTSS cellP4<>(SB), Z24
	VBROADCASTSS cellP5<>(SB), Z25
	VBROADCASTSS cellOne<>(SB), Z26
	VBROADCASTSS cellTwo<>(SB), Z27
	VBROADCASTSS cellHi<>(SB), Z28
	VBROADCASTSS cellLo<>(SB), Z29
	VBROADCASTSS cellInf<>(SB), Z30
	VBROADCASTSS cellSign<>(SB), Z31
	VPBROADCASTD cellBias<>(SB), Z15
	VPXORD       Z14, Z14, Z14
	XORQ AX, AX

cellzloop:
	CMPQ    AX, CX
	JGE     cellzdone
	VMOVUPS (SI)(AX*4), Z0
	SIGMOIDZ
	VMOVAPS Z0, Z8
	VMOVUPS (R9)(AX*4), Z0
	SIGMOIDZ
	VMOVAPS Z0, Z9
	VMOVUPS (R10)(AX*4), Z0
	TANHZ
	VMOVAPS Z0, Z10
	VMOVUPS (R11)(AX*4), Z0
	SIGMOIDZ
	VMOVAPS Z0, Z11
	VMULPS  (DI)(AX*4), Z9, Z12
	VMULPS  Z10, Z8, Z13
	VADDPS  Z13, Z12, Z12
	VMOVUPS Z12, (DX)(AX*4)
	VMOVAPS Z12, Z0
	TANHZ
	VMULPS  Z0, Z11, Z13
	VMOVUPS Z13, (R8)(AX*4)
	TESTQ   R12, R12
	JZ      cellznext
	MOVQ    0(R12), R13
	VMOVUPS Z8, (R13)(AX*4)
	MOVQ    8(R12), R13
	VMOVUPS Z9, (R13)(AX*4)
	MOVQ    16(R12), R13
	VMOVUPS Z10, (R13)(AX*4)
	MOVQ    24(R12), R13
	VMOVUPS Z11, (R13)(AX*4)
	MOVQ    32(R12), R13
	VMOVUPS Z0, (R13)(AX*4)

cellznext:
	ADDQ $16, AX
	JMP  cellzloop

cellzdone:
	VZEROUPPER
	RET
