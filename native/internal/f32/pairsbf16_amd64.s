//go:build amd64 && !purego

#include "textflag.h"

// The tiles of MulAddPairsBF16 (AVX-512 BF16): R rows of x against P panels
// of 16 rows of W packed by PackPairsBF16, ps bytes apart. x is rounded to
// bfloat16 16 values at a time (VCVTNEPS2BF16, the last block masked) into
// the frame, then each pair of columns adds, for every tile row, its pair
// of x (VPBROADCASTD) times each panel's 16 pairs of W (VDPBF16PS) to the
// accumulators, from zero; at the end out += the sums. Every entry is the
// same sum whatever the tile.
//
// Go's assembler knows neither VDPBF16PS nor VCVTNEPS2BF16: they are
// encoded here (by GNU as) for fixed registers, one macro each, named
// DPBF16_Zw_Zx_Zacc (acc += x pairs . w pairs) and CVTBF16_Zr (Yr = Zr
// rounded to bfloat16).


// vdpbf16ps %zmm20,%zmm16,%zmm0
#define DPBF16_Z16_Z20_Z0 BYTE $0x62; BYTE $0xb2; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $0xc4
// vdpbf16ps %zmm21,%zmm16,%zmm1
#define DPBF16_Z16_Z21_Z1 BYTE $0x62; BYTE $0xb2; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $0xcd
// vdpbf16ps %zmm20,%zmm17,%zmm1
#define DPBF16_Z17_Z20_Z1 BYTE $0x62; BYTE $0xb2; BYTE $0x76; BYTE $0x40; BYTE $0x52; BYTE $0xcc
// vdpbf16ps %zmm21,%zmm16,%zmm2
#define DPBF16_Z16_Z21_Z2 BYTE $0x62; BYTE $0xb2; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $0xd5
// vdpbf16ps %zmm22,%zmm16,%zmm2
#define DPBF16_Z16_Z22_Z2 BYTE $0x62; BYTE $0xb2; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $0xd6
// vdpbf16ps %zmm20,%zmm18,%zmm2
#define DPBF16_Z18_Z20_Z2 BYTE $0x62; BYTE $0xb2; BYTE $0x6e; BYTE $0x40; BYTE $0x52; BYTE $0xd4
// vdpbf16ps %zmm23,%zmm16,%zmm3
#define DPBF16_Z16_Z23_Z3 BYTE $0x62; BYTE $0xb2; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $0xdf
// vdpbf16ps %zmm21,%zmm17,%zmm3
#define DPBF16_Z17_Z21_Z3 BYTE $0x62; BYTE $0xb2; BYTE $0x76; BYTE $0x40; BYTE $0x52; BYTE $0xdd
// vdpbf16ps %zmm20,%zmm19,%zmm3
#define DPBF16_Z19_Z20_Z3 BYTE $0x62; BYTE $0xb2; BYTE $0x66; BYTE $0x40; BYTE $0x52; BYTE $0xdc
// vdpbf16ps %zmm21,%zmm16,%zmm4
#define DPBF16_Z16_Z21_Z4 BYTE $0x62; BYTE $0xb2; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $0xe5
// vdpbf16ps %zmm22,%zmm16,%zmm4
#define DPBF16_Z16_Z22_Z4 BYTE $0x62; BYTE $0xb2; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $0xe6
// vdpbf16ps %zmm21,%zmm17,%zmm5
#define DPBF16_Z17_Z21_Z5 BYTE $0x62; BYTE $0xb2; BYTE $0x76; BYTE $0x40; BYTE $0x52; BYTE $0xed
// vdpbf16ps %zmm22,%zmm17,%zmm5
#define DPBF16_Z17_Z22_Z5 BYTE $0x62; BYTE $0xb2; BYTE $0x76; BYTE $0x40; BYTE $0x52; BYTE $0xee
// vdpbf16ps %zmm23,%zmm16,%zmm6
#define DPBF16_Z16_Z23_Z6 BYTE $0x62; BYTE $0xb2; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $0xf7
// vdpbf16ps %zmm21,%zmm18,%zmm6
#define DPBF16_Z18_Z21_Z6 BYTE $0x62; BYTE $0xb2; BYTE $0x6e; BYTE $0x40; BYTE $0x52; BYTE $0xf5
// vdpbf16ps %zmm23,%zmm17,%zmm7
#define DPBF16_Z17_Z23_Z7 BYTE $0x62; BYTE $0xb2; BYTE $0x76; BYTE $0x40; BYTE $0x52; BYTE $0xff
// vdpbf16ps %zmm21,%zmm19,%zmm7
#define DPBF16_Z19_Z21_Z7 BYTE $0x62; BYTE $0xb2; BYTE $0x66; BYTE $0x40; BYTE $0x52; BYTE $0xfd
// vdpbf16ps %zmm22,%zmm16,%zmm8
#define DPBF16_Z16_Z22_Z8 BYTE $0x62; BYTE $0x32; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $0xc6
// vdpbf16ps %zmm22,%zmm17,%zmm9
#define DPBF16_Z17_Z22_Z9 BYTE $0x62; BYTE $0x32; BYTE $0x76; BYTE $0x40; BYTE $0x52; BYTE $0xce
// vdpbf16ps %zmm22,%zmm18,%zmm10
#define DPBF16_Z18_Z22_Z10 BYTE $0x62; BYTE $0x32; BYTE $0x6e; BYTE $0x40; BYTE $0x52; BYTE $0xd6
// vdpbf16ps %zmm22,%zmm19,%zmm11
#define DPBF16_Z19_Z22_Z11 BYTE $0x62; BYTE $0x32; BYTE $0x66; BYTE $0x40; BYTE $0x52; BYTE $0xde
// vdpbf16ps %zmm23,%zmm16,%zmm12
#define DPBF16_Z16_Z23_Z12 BYTE $0x62; BYTE $0x32; BYTE $0x7e; BYTE $0x40; BYTE $0x52; BYTE $0xe7
// vdpbf16ps %zmm23,%zmm17,%zmm13
#define DPBF16_Z17_Z23_Z13 BYTE $0x62; BYTE $0x32; BYTE $0x76; BYTE $0x40; BYTE $0x52; BYTE $0xef
// vdpbf16ps %zmm23,%zmm18,%zmm14
#define DPBF16_Z18_Z23_Z14 BYTE $0x62; BYTE $0x32; BYTE $0x6e; BYTE $0x40; BYTE $0x52; BYTE $0xf7
// vdpbf16ps %zmm23,%zmm19,%zmm15
#define DPBF16_Z19_Z23_Z15 BYTE $0x62; BYTE $0x32; BYTE $0x66; BYTE $0x40; BYTE $0x52; BYTE $0xff
// vcvtneps2bf16 %zmm24,%ymm24
#define CVTBF16_Z24 BYTE $0x62; BYTE $0x02; BYTE $0x7e; BYTE $0x48; BYTE $0x72; BYTE $0xc0
// vcvtneps2bf16 %zmm25,%ymm25
#define CVTBF16_Z25 BYTE $0x62; BYTE $0x02; BYTE $0x7e; BYTE $0x48; BYTE $0x72; BYTE $0xc9
// vcvtneps2bf16 %zmm26,%ymm26
#define CVTBF16_Z26 BYTE $0x62; BYTE $0x02; BYTE $0x7e; BYTE $0x48; BYTE $0x72; BYTE $0xd2
// vcvtneps2bf16 %zmm27,%ymm27
#define CVTBF16_Z27 BYTE $0x62; BYTE $0x02; BYTE $0x7e; BYTE $0x48; BYTE $0x72; BYTE $0xdb

// func pairs4x64(k int, x *float32, ldx int, p unsafe.Pointer, ps int, out *float32, ldo int)
TEXT ·pairs4x64(SB), NOSPLIT, $128-56
	MOVQ k+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ ldx+16(FP), R8
	SHLQ $2, R8
	LEAQ (SI)(R8*1), R9
	LEAQ (R9)(R8*1), R10
	LEAQ (R10)(R8*1), R11
	MOVQ p+24(FP), DI
	MOVQ ps+32(FP), DX
	LEAQ (DI)(DX*1), R12
	LEAQ (R12)(DX*1), R13
	LEAQ (R13)(DX*1), BX
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15

pairs4x64block:
	CMPQ CX, $16
	JLT  pairs4x64tail
	VMOVUPS (SI), Z24
	VMOVUPS (R9), Z25
	VMOVUPS (R10), Z26
	VMOVUPS (R11), Z27
	MOVQ $8, R8
	JMP  pairs4x64conv

pairs4x64tail:
	// The last k%16 values, the rest of the block zero.
	MOVQ $1, R8
	SHLQ CX, R8
	DECQ R8
	KMOVW R8, K1
	VMOVUPS.Z (SI), K1, Z24
	VMOVUPS.Z (R9), K1, Z25
	VMOVUPS.Z (R10), K1, Z26
	VMOVUPS.Z (R11), K1, Z27
	LEAQ 1(CX), R8
	SHRQ $1, R8

pairs4x64conv:
	CVTBF16_Z24
	CVTBF16_Z25
	CVTBF16_Z26
	CVTBF16_Z27
	VMOVDQU32 Y24, 0(SP)
	VMOVDQU32 Y25, 32(SP)
	VMOVDQU32 Y26, 64(SP)
	VMOVDQU32 Y27, 96(SP)
	XORQ AX, AX

pairs4x64pair:
	VPBROADCASTD 0(SP)(AX*4), Z20
	VPBROADCASTD 32(SP)(AX*4), Z21
	VPBROADCASTD 64(SP)(AX*4), Z22
	VPBROADCASTD 96(SP)(AX*4), Z23
	VMOVDQU32 (DI), Z16
	VMOVDQU32 (R12), Z17
	VMOVDQU32 (R13), Z18
	VMOVDQU32 (BX), Z19
	DPBF16_Z16_Z20_Z0
	DPBF16_Z17_Z20_Z1
	DPBF16_Z18_Z20_Z2
	DPBF16_Z19_Z20_Z3
	DPBF16_Z16_Z21_Z4
	DPBF16_Z17_Z21_Z5
	DPBF16_Z18_Z21_Z6
	DPBF16_Z19_Z21_Z7
	DPBF16_Z16_Z22_Z8
	DPBF16_Z17_Z22_Z9
	DPBF16_Z18_Z22_Z10
	DPBF16_Z19_Z22_Z11
	DPBF16_Z16_Z23_Z12
	DPBF16_Z17_Z23_Z13
	DPBF16_Z18_Z23_Z14
	DPBF16_Z19_Z23_Z15
	ADDQ $64, DI
	ADDQ $64, R12
	ADDQ $64, R13
	ADDQ $64, BX
	INCQ AX
	CMPQ AX, R8
	JLT  pairs4x64pair
	ADDQ $64, SI
	ADDQ $64, R9
	ADDQ $64, R10
	ADDQ $64, R11
	SUBQ $16, CX
	JG   pairs4x64block

	MOVQ out+40(FP), DX
	MOVQ ldo+48(FP), R8
	SHLQ $2, R8
	VADDPS 0(DX), Z0, Z0
	VMOVUPS Z0, 0(DX)
	VADDPS 64(DX), Z1, Z1
	VMOVUPS Z1, 64(DX)
	VADDPS 128(DX), Z2, Z2
	VMOVUPS Z2, 128(DX)
	VADDPS 192(DX), Z3, Z3
	VMOVUPS Z3, 192(DX)
	ADDQ R8, DX
	VADDPS 0(DX), Z4, Z4
	VMOVUPS Z4, 0(DX)
	VADDPS 64(DX), Z5, Z5
	VMOVUPS Z5, 64(DX)
	VADDPS 128(DX), Z6, Z6
	VMOVUPS Z6, 128(DX)
	VADDPS 192(DX), Z7, Z7
	VMOVUPS Z7, 192(DX)
	ADDQ R8, DX
	VADDPS 0(DX), Z8, Z8
	VMOVUPS Z8, 0(DX)
	VADDPS 64(DX), Z9, Z9
	VMOVUPS Z9, 64(DX)
	VADDPS 128(DX), Z10, Z10
	VMOVUPS Z10, 128(DX)
	VADDPS 192(DX), Z11, Z11
	VMOVUPS Z11, 192(DX)
	ADDQ R8, DX
	VADDPS 0(DX), Z12, Z12
	VMOVUPS Z12, 0(DX)
	VADDPS 64(DX), Z13, Z13
	VMOVUPS Z13, 64(DX)
	VADDPS 128(DX), Z14, Z14
	VMOVUPS Z14, 128(DX)
	VADDPS 192(DX), Z15, Z15
	VMOVUPS Z15, 192(DX)
	VZEROUPPER
	RET

// func pairs4x32(k int, x *float32, ldx int, p unsafe.Pointer, ps int, out *float32, ldo int)
TEXT ·pairs4x32(SB), NOSPLIT, $128-56
	MOVQ k+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ ldx+16(FP), R8
	SHLQ $2, R8
	LEAQ (SI)(R8*1), R9
	LEAQ (R9)(R8*1), R10
	LEAQ (R10)(R8*1), R11
	MOVQ p+24(FP), DI
	MOVQ ps+32(FP), DX
	LEAQ (DI)(DX*1), R12
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7

pairs4x32block:
	CMPQ CX, $16
	JLT  pairs4x32tail
	VMOVUPS (SI), Z24
	VMOVUPS (R9), Z25
	VMOVUPS (R10), Z26
	VMOVUPS (R11), Z27
	MOVQ $8, R8
	JMP  pairs4x32conv

pairs4x32tail:
	// The last k%16 values, the rest of the block zero.
	MOVQ $1, R8
	SHLQ CX, R8
	DECQ R8
	KMOVW R8, K1
	VMOVUPS.Z (SI), K1, Z24
	VMOVUPS.Z (R9), K1, Z25
	VMOVUPS.Z (R10), K1, Z26
	VMOVUPS.Z (R11), K1, Z27
	LEAQ 1(CX), R8
	SHRQ $1, R8

pairs4x32conv:
	CVTBF16_Z24
	CVTBF16_Z25
	CVTBF16_Z26
	CVTBF16_Z27
	VMOVDQU32 Y24, 0(SP)
	VMOVDQU32 Y25, 32(SP)
	VMOVDQU32 Y26, 64(SP)
	VMOVDQU32 Y27, 96(SP)
	XORQ AX, AX

pairs4x32pair:
	VPBROADCASTD 0(SP)(AX*4), Z20
	VPBROADCASTD 32(SP)(AX*4), Z21
	VPBROADCASTD 64(SP)(AX*4), Z22
	VPBROADCASTD 96(SP)(AX*4), Z23
	VMOVDQU32 (DI), Z16
	VMOVDQU32 (R12), Z17
	DPBF16_Z16_Z20_Z0
	DPBF16_Z17_Z20_Z1
	DPBF16_Z16_Z21_Z2
	DPBF16_Z17_Z21_Z3
	DPBF16_Z16_Z22_Z4
	DPBF16_Z17_Z22_Z5
	DPBF16_Z16_Z23_Z6
	DPBF16_Z17_Z23_Z7
	ADDQ $64, DI
	ADDQ $64, R12
	INCQ AX
	CMPQ AX, R8
	JLT  pairs4x32pair
	ADDQ $64, SI
	ADDQ $64, R9
	ADDQ $64, R10
	ADDQ $64, R11
	SUBQ $16, CX
	JG   pairs4x32block

	MOVQ out+40(FP), DX
	MOVQ ldo+48(FP), R8
	SHLQ $2, R8
	VADDPS 0(DX), Z0, Z0
	VMOVUPS Z0, 0(DX)
	VADDPS 64(DX), Z1, Z1
	VMOVUPS Z1, 64(DX)
	ADDQ R8, DX
	VADDPS 0(DX), Z2, Z2
	VMOVUPS Z2, 0(DX)
	VADDPS 64(DX), Z3, Z3
	VMOVUPS Z3, 64(DX)
	ADDQ R8, DX
	VADDPS 0(DX), Z4, Z4
	VMOVUPS Z4, 0(DX)
	VADDPS 64(DX), Z5, Z5
	VMOVUPS Z5, 64(DX)
	ADDQ R8, DX
	VADDPS 0(DX), Z6, Z6
	VMOVUPS Z6, 0(DX)
	VADDPS 64(DX), Z7, Z7
	VMOVUPS Z7, 64(DX)
	VZEROUPPER
	RET

// func pairs4x16(k int, x *float32, ldx int, p unsafe.Pointer, ps int, out *float32, ldo int)
TEXT ·pairs4x16(SB), NOSPLIT, $128-56
	MOVQ k+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ ldx+16(FP), R8
	SHLQ $2, R8
	LEAQ (SI)(R8*1), R9
	LEAQ (R9)(R8*1), R10
	LEAQ (R10)(R8*1), R11
	MOVQ p+24(FP), DI
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3

pairs4x16block:
	CMPQ CX, $16
	JLT  pairs4x16tail
	VMOVUPS (SI), Z24
	VMOVUPS (R9), Z25
	VMOVUPS (R10), Z26
	VMOVUPS (R11), Z27
	MOVQ $8, R8
	JMP  pairs4x16conv

pairs4x16tail:
	// The last k%16 values, the rest of the block zero.
	MOVQ $1, R8
	SHLQ CX, R8
	DECQ R8
	KMOVW R8, K1
	VMOVUPS.Z (SI), K1, Z24
	VMOVUPS.Z (R9), K1, Z25
	VMOVUPS.Z (R10), K1, Z26
	VMOVUPS.Z (R11), K1, Z27
	LEAQ 1(CX), R8
	SHRQ $1, R8

pairs4x16conv:
	CVTBF16_Z24
	CVTBF16_Z25
	CVTBF16_Z26
	CVTBF16_Z27
	VMOVDQU32 Y24, 0(SP)
	VMOVDQU32 Y25, 32(SP)
	VMOVDQU32 Y26, 64(SP)
	VMOVDQU32 Y27, 96(SP)
	XORQ AX, AX

pairs4x16pair:
	VPBROADCASTD 0(SP)(AX*4), Z20
	VPBROADCASTD 32(SP)(AX*4), Z21
	VPBROADCASTD 64(SP)(AX*4), Z22
	VPBROADCASTD 96(SP)(AX*4), Z23
	VMOVDQU32 (DI), Z16
	DPBF16_Z16_Z20_Z0
	DPBF16_Z16_Z21_Z1
	DPBF16_Z16_Z22_Z2
	DPBF16_Z16_Z23_Z3
	ADDQ $64, DI
	INCQ AX
	CMPQ AX, R8
	JLT  pairs4x16pair
	ADDQ $64, SI
	ADDQ $64, R9
	ADDQ $64, R10
	ADDQ $64, R11
	SUBQ $16, CX
	JG   pairs4x16block

	MOVQ out+40(FP), DX
	MOVQ ldo+48(FP), R8
	SHLQ $2, R8
	VADDPS 0(DX), Z0, Z0
	VMOVUPS Z0, 0(DX)
	ADDQ R8, DX
	VADDPS 0(DX), Z1, Z1
	VMOVUPS Z1, 0(DX)
	ADDQ R8, DX
	VADDPS 0(DX), Z2, Z2
	VMOVUPS Z2, 0(DX)
	ADDQ R8, DX
	VADDPS 0(DX), Z3, Z3
	VMOVUPS Z3, 0(DX)
	VZEROUPPER
	RET

// func pairs1x64(k int, x *float32, ldx int, p unsafe.Pointer, ps int, out *float32, ldo int)
TEXT ·pairs1x64(SB), NOSPLIT, $32-56
	MOVQ k+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ p+24(FP), DI
	MOVQ ps+32(FP), DX
	LEAQ (DI)(DX*1), R12
	LEAQ (R12)(DX*1), R13
	LEAQ (R13)(DX*1), BX
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3

pairs1x64block:
	CMPQ CX, $16
	JLT  pairs1x64tail
	VMOVUPS (SI), Z24
	MOVQ $8, R8
	JMP  pairs1x64conv

pairs1x64tail:
	// The last k%16 values, the rest of the block zero.
	MOVQ $1, R8
	SHLQ CX, R8
	DECQ R8
	KMOVW R8, K1
	VMOVUPS.Z (SI), K1, Z24
	LEAQ 1(CX), R8
	SHRQ $1, R8

pairs1x64conv:
	CVTBF16_Z24
	VMOVDQU32 Y24, 0(SP)
	XORQ AX, AX

pairs1x64pair:
	VPBROADCASTD 0(SP)(AX*4), Z20
	VMOVDQU32 (DI), Z16
	VMOVDQU32 (R12), Z17
	VMOVDQU32 (R13), Z18
	VMOVDQU32 (BX), Z19
	DPBF16_Z16_Z20_Z0
	DPBF16_Z17_Z20_Z1
	DPBF16_Z18_Z20_Z2
	DPBF16_Z19_Z20_Z3
	ADDQ $64, DI
	ADDQ $64, R12
	ADDQ $64, R13
	ADDQ $64, BX
	INCQ AX
	CMPQ AX, R8
	JLT  pairs1x64pair
	ADDQ $64, SI
	SUBQ $16, CX
	JG   pairs1x64block

	MOVQ out+40(FP), DX
	VADDPS 0(DX), Z0, Z0
	VMOVUPS Z0, 0(DX)
	VADDPS 64(DX), Z1, Z1
	VMOVUPS Z1, 64(DX)
	VADDPS 128(DX), Z2, Z2
	VMOVUPS Z2, 128(DX)
	VADDPS 192(DX), Z3, Z3
	VMOVUPS Z3, 192(DX)
	VZEROUPPER
	RET

// func pairs1x16(k int, x *float32, ldx int, p unsafe.Pointer, ps int, out *float32, ldo int)
TEXT ·pairs1x16(SB), NOSPLIT, $32-56
	MOVQ k+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ p+24(FP), DI
	VPXORD Z0, Z0, Z0

pairs1x16block:
	CMPQ CX, $16
	JLT  pairs1x16tail
	VMOVUPS (SI), Z24
	MOVQ $8, R8
	JMP  pairs1x16conv

pairs1x16tail:
	// The last k%16 values, the rest of the block zero.
	MOVQ $1, R8
	SHLQ CX, R8
	DECQ R8
	KMOVW R8, K1
	VMOVUPS.Z (SI), K1, Z24
	LEAQ 1(CX), R8
	SHRQ $1, R8

pairs1x16conv:
	CVTBF16_Z24
	VMOVDQU32 Y24, 0(SP)
	XORQ AX, AX

pairs1x16pair:
	VPBROADCASTD 0(SP)(AX*4), Z20
	VMOVDQU32 (DI), Z16
	DPBF16_Z16_Z20_Z0
	ADDQ $64, DI
	INCQ AX
	CMPQ AX, R8
	JLT  pairs1x16pair
	ADDQ $64, SI
	SUBQ $16, CX
	JG   pairs1x16block

	MOVQ out+40(FP), DX
	VADDPS 0(DX), Z0, Z0
	VMOVUPS Z0, 0(DX)
	VZEROUPPER
	RET
