//go:build amd64 && !purego

#include "textflag.h"

// The tiles of MulAddPacked (see packed_amd64.go). A panel step is 16
// floats (64 bytes); every accumulator starts at zero, takes one fused
// multiply-add per step q in order, and is added to out at the end.

// func mul4x16AVX2(k int, x *float32, ldx int, p *float32, out *float32, ldo int)
// Four rows of x against one panel: eight accumulators Y0-Y7 (row r in
// Y(2r), Y(2r+1)).
TEXT ·mul4x16AVX2(SB), NOSPLIT, $0-48
	MOVQ k+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ ldx+16(FP), BX
	MOVQ p+24(FP), DI
	MOVQ out+32(FP), DX
	MOVQ ldo+40(FP), R8
	SHLQ $2, BX
	SHLQ $2, R8
	LEAQ (SI)(BX*1), R9
	LEAQ (R9)(BX*1), R10
	LEAQ (R10)(BX*1), R11
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	XORQ AX, AX

m4x16loop:
	VMOVUPS      (DI), Y8
	VMOVUPS      32(DI), Y9
	VBROADCASTSS (SI)(AX*4), Y10
	VBROADCASTSS (R9)(AX*4), Y11
	VBROADCASTSS (R10)(AX*4), Y12
	VBROADCASTSS (R11)(AX*4), Y13
	VFMADD231PS  Y8, Y10, Y0
	VFMADD231PS  Y9, Y10, Y1
	VFMADD231PS  Y8, Y11, Y2
	VFMADD231PS  Y9, Y11, Y3
	VFMADD231PS  Y8, Y12, Y4
	VFMADD231PS  Y9, Y12, Y5
	VFMADD231PS  Y8, Y13, Y6
	VFMADD231PS  Y9, Y13, Y7
	ADDQ         $64, DI
	INCQ         AX
	CMPQ         AX, CX
	JLT          m4x16loop

	VADDPS  (DX), Y0, Y0
	VADDPS  32(DX), Y1, Y1
	VMOVUPS Y0, (DX)
	VMOVUPS Y1, 32(DX)
	ADDQ    R8, DX
	VADDPS  (DX), Y2, Y2
	VADDPS  32(DX), Y3, Y3
	VMOVUPS Y2, (DX)
	VMOVUPS Y3, 32(DX)
	ADDQ    R8, DX
	VADDPS  (DX), Y4, Y4
	VADDPS  32(DX), Y5, Y5
	VMOVUPS Y4, (DX)
	VMOVUPS Y5, 32(DX)
	ADDQ    R8, DX
	VADDPS  (DX), Y6, Y6
	VADDPS  32(DX), Y7, Y7
	VMOVUPS Y6, (DX)
	VMOVUPS Y7, 32(DX)
	VZEROUPPER
	RET

// func mul1x64AVX2(k int, x *float32, p *float32, ps int, out *float32)
// One row of x against four panels, ps floats apart: eight accumulators.
TEXT ·mul1x64AVX2(SB), NOSPLIT, $0-40
	MOVQ k+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ p+16(FP), DI
	MOVQ ps+24(FP), BX
	MOVQ out+32(FP), DX
	SHLQ $2, BX
	LEAQ (DI)(BX*1), R9
	LEAQ (R9)(BX*1), R10
	LEAQ (R10)(BX*1), R11
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	XORQ AX, AX

m1x64loop:
	VBROADCASTSS (SI)(AX*4), Y15
	VFMADD231PS  (DI), Y15, Y0
	VFMADD231PS  32(DI), Y15, Y1
	VFMADD231PS  (R9), Y15, Y2
	VFMADD231PS  32(R9), Y15, Y3
	VFMADD231PS  (R10), Y15, Y4
	VFMADD231PS  32(R10), Y15, Y5
	VFMADD231PS  (R11), Y15, Y6
	VFMADD231PS  32(R11), Y15, Y7
	ADDQ         $64, DI
	ADDQ         $64, R9
	ADDQ         $64, R10
	ADDQ         $64, R11
	INCQ         AX
	CMPQ         AX, CX
	JLT          m1x64loop

	VADDPS  (DX), Y0, Y0
	VADDPS  32(DX), Y1, Y1
	VADDPS  64(DX), Y2, Y2
	VADDPS  96(DX), Y3, Y3
	VADDPS  128(DX), Y4, Y4
	VADDPS  160(DX), Y5, Y5
	VADDPS  192(DX), Y6, Y6
	VADDPS  224(DX), Y7, Y7
	VMOVUPS Y0, (DX)
	VMOVUPS Y1, 32(DX)
	VMOVUPS Y2, 64(DX)
	VMOVUPS Y3, 96(DX)
	VMOVUPS Y4, 128(DX)
	VMOVUPS Y5, 160(DX)
	VMOVUPS Y6, 192(DX)
	VMOVUPS Y7, 224(DX)
	VZEROUPPER
	RET

// func mul1x16AVX2(k int, x *float32, p *float32, out *float32)
// One row of x against one panel: two accumulators.
TEXT ·mul1x16AVX2(SB), NOSPLIT, $0-32
	MOVQ k+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ p+16(FP), DI
	MOVQ out+24(FP), DX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	XORQ AX, AX

m1x16loop:
	VBROADCASTSS (SI)(AX*4), Y15
	VFMADD231PS  (DI), Y15, Y0
	VFMADD231PS  32(DI), Y15, Y1
	ADDQ         $64, DI
	INCQ         AX
	CMPQ         AX, CX
	JLT          m1x16loop

	VADDPS  (DX), Y0, Y0
	VADDPS  32(DX), Y1, Y1
	VMOVUPS Y0, (DX)
	VMOVUPS Y1, 32(DX)
	VZEROUPPER
	RET

// func mul4x32AVX512(k int, x *float32, ldx int, p *float32, ps int, out *float32, ldo int)
// Four rows of x against two panels, ps floats apart: eight accumulators
// Z0-Z7 (row r in Z(2r), Z(2r+1)).
TEXT ·mul4x32AVX512(SB), NOSPLIT, $0-56
	MOVQ k+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ ldx+16(FP), BX
	MOVQ p+24(FP), DI
	MOVQ ps+32(FP), R12
	MOVQ out+40(FP), DX
	MOVQ ldo+48(FP), R8
	SHLQ $2, BX
	SHLQ $2, R8
	SHLQ $2, R12
	ADDQ DI, R12
	LEAQ (SI)(BX*1), R9
	LEAQ (R9)(BX*1), R10
	LEAQ (R10)(BX*1), R11
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	XORQ AX, AX

m4x32loop:
	VMOVUPS      (DI), Z8
	VMOVUPS      (R12), Z9
	VBROADCASTSS (SI)(AX*4), Z10
	VBROADCASTSS (R9)(AX*4), Z11
	VBROADCASTSS (R10)(AX*4), Z12
	VBROADCASTSS (R11)(AX*4), Z13
	VFMADD231PS  Z8, Z10, Z0
	VFMADD231PS  Z9, Z10, Z1
	VFMADD231PS  Z8, Z11, Z2
	VFMADD231PS  Z9, Z11, Z3
	VFMADD231PS  Z8, Z12, Z4
	VFMADD231PS  Z9, Z12, Z5
	VFMADD231PS  Z8, Z13, Z6
	VFMADD231PS  Z9, Z13, Z7
	ADDQ         $64, DI
	ADDQ         $64, R12
	INCQ         AX
	CMPQ         AX, CX
	JLT          m4x32loop

	VADDPS  (DX), Z0, Z0
	VADDPS  64(DX), Z1, Z1
	VMOVUPS Z0, (DX)
	VMOVUPS Z1, 64(DX)
	ADDQ    R8, DX
	VADDPS  (DX), Z2, Z2
	VADDPS  64(DX), Z3, Z3
	VMOVUPS Z2, (DX)
	VMOVUPS Z3, 64(DX)
	ADDQ    R8, DX
	VADDPS  (DX), Z4, Z4
	VADDPS  64(DX), Z5, Z5
	VMOVUPS Z4, (DX)
	VMOVUPS Z5, 64(DX)
	ADDQ    R8, DX
	VADDPS  (DX), Z6, Z6
	VADDPS  64(DX), Z7, Z7
	VMOVUPS Z6, (DX)
	VMOVUPS Z7, 64(DX)
	VZEROUPPER
	RET

// func mul1x128AVX512(k int, x *float32, p *float32, ps int, out *float32)
// One row of x against eight panels, ps floats apart: eight accumulators.
TEXT ·mul1x128AVX512(SB), NOSPLIT, $0-40
	MOVQ k+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ p+16(FP), DI
	MOVQ ps+24(FP), BX
	MOVQ out+32(FP), DX
	SHLQ $2, BX
	LEAQ (DI)(BX*1), R9
	LEAQ (R9)(BX*1), R10
	LEAQ (R10)(BX*1), R11
	LEAQ (R11)(BX*1), R12
	LEAQ (R12)(BX*1), R13
	LEAQ (R13)(BX*1), R8
	LEAQ (R8)(BX*1), BX
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	XORQ AX, AX

m1x128loop:
	VBROADCASTSS (SI)(AX*4), Z15
	VFMADD231PS  (DI), Z15, Z0
	VFMADD231PS  (R9), Z15, Z1
	VFMADD231PS  (R10), Z15, Z2
	VFMADD231PS  (R11), Z15, Z3
	VFMADD231PS  (R12), Z15, Z4
	VFMADD231PS  (R13), Z15, Z5
	VFMADD231PS  (R8), Z15, Z6
	VFMADD231PS  (BX), Z15, Z7
	ADDQ         $64, DI
	ADDQ         $64, R9
	ADDQ         $64, R10
	ADDQ         $64, R11
	ADDQ         $64, R12
	ADDQ         $64, R13
	ADDQ         $64, R8
	ADDQ         $64, BX
	INCQ         AX
	CMPQ         AX, CX
	JLT          m1x128loop

	VADDPS  (DX), Z0, Z0
	VADDPS  64(DX), Z1, Z1
	VADDPS  128(DX), Z2, Z2
	VADDPS  192(DX), Z3, Z3
	VADDPS  256(DX), Z4, Z4
	VADDPS  320(DX), Z5, Z5
	VADDPS  384(DX), Z6, Z6
	VADDPS  448(DX), Z7, Z7
	VMOVUPS Z0, (DX)
	VMOVUPS Z1, 64(DX)
	VMOVUPS Z2, 128(DX)
	VMOVUPS Z3, 192(DX)
	VMOVUPS Z4, 256(DX)
	VMOVUPS Z5, 320(DX)
	VMOVUPS Z6, 384(DX)
	VMOVUPS Z7, 448(DX)
	VZEROUPPER
	RET
