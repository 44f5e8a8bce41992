//go:build amd64 && !purego

#include "textflag.h"

// CellBackward of cellback.go, eight units at a time, with the operations
// of its loop in their order (a multiply and an add, never fused, as the Go
// code compiles for GOAMD64 v1 and v2): the same bits.

DATA cellBackOne<>+0(SB)/4, $0x3f800000
GLOBL cellBackOne<>(SB), RODATA|NOPTR, $4

// func cellBackwardAVX2(n int, act *[5]*float32, cPrev, dh, dc, da *float32, H int)
TEXT ·cellBackwardAVX2(SB), NOSPLIT, $0-56
	VBROADCASTSS cellBackOne<>(SB), Y15 // before R15 is loaded (dynamic linking)
	MOVQ n+0(FP), CX
	MOVQ act+8(FP), R12
	MOVQ cPrev+16(FP), DI
	MOVQ dh+24(FP), SI
	MOVQ dc+32(FP), DX
	MOVQ da+40(FP), R8
	MOVQ H+48(FP), BX
	MOVQ 0(R12), R13 // i
	MOVQ 8(R12), R14 // f
	MOVQ 16(R12), R15 // g
	MOVQ 24(R12), R11 // o
	MOVQ 32(R12), R12 // tanh(c)
	SHLQ $2, BX
	LEAQ (R8)(BX*1), R9  // da_f
	LEAQ (R9)(BX*1), R10 // da_g
	LEAQ (R10)(BX*1), BX // da_o
	XORQ AX, AX

cellbackloop:
	CMPQ    AX, CX
	JGE     cellbackdone
	VMOVUPS (R13)(AX*4), Y0 // i
	VMOVUPS (R14)(AX*4), Y1 // f
	VMOVUPS (R15)(AX*4), Y2 // g
	VMOVUPS (R11)(AX*4), Y3 // o
	VMOVUPS (R12)(AX*4), Y4 // tc
	VMOVUPS (SI)(AX*4), Y5  // dh
	VMOVUPS (DX)(AX*4), Y6  // dc
	VMOVUPS (DI)(AX*4), Y7  // cPrev

	// dck = dc + dh*o*(1 - tc*tc)
	VMULPS Y4, Y4, Y8
	VSUBPS Y8, Y15, Y8
	VMULPS Y3, Y5, Y9
	VMULPS Y8, Y9, Y9
	VADDPS Y9, Y6, Y6

	VMULPS Y4, Y5, Y10 // do = dh*tc
	VMULPS Y2, Y6, Y11 // di = dck*g
	VMULPS Y0, Y6, Y12 // dg = dck*i
	VMULPS Y7, Y6, Y13 // df = dck*cPrev
	VMULPS Y1, Y6, Y14 // dc = dck*f
	VMOVUPS Y14, (DX)(AX*4)

	// da_i = di*i*(1 - i)
	VMULPS  Y0, Y11, Y11
	VSUBPS  Y0, Y15, Y8
	VMULPS  Y8, Y11, Y11
	VMOVUPS Y11, (R8)(AX*4)

	// da_f = df*f*(1 - f)
	VMULPS  Y1, Y13, Y13
	VSUBPS  Y1, Y15, Y8
	VMULPS  Y8, Y13, Y13
	VMOVUPS Y13, (R9)(AX*4)

	// da_g = dg*(1 - g*g)
	VMULPS  Y2, Y2, Y8
	VSUBPS  Y8, Y15, Y8
	VMULPS  Y8, Y12, Y12
	VMOVUPS Y12, (R10)(AX*4)

	// da_o = do*o*(1 - o)
	VMULPS  Y3, Y10, Y10
	VSUBPS  Y3, Y15, Y8
	VMULPS  Y8, Y10, Y10
	VMOVUPS Y10, (BX)(AX*4)

	ADDQ $8, AX
	JMP  cellbackloop

cellbackdone:
	VZEROUPPER
	RET
