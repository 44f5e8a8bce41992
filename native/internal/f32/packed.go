package f32

import "fmt"

// PanelWidth is how many rows of W a panel of Pack holds: the width of the
// micro-kernels' tiles of output columns (two AVX2 or one AVX-512 register).
const PanelWidth = 16

// PackedLen is the length of Pack's output for W [n, k]: ceil(n/16) panels
// of 16k values.
func PackedLen(n, k int) int { return (n + PanelWidth - 1) / PanelWidth * PanelWidth * k }

// Pack writes W [n, k] (row stride ldw) into dst as panels of 16 rows of W,
// transposed, so that a step q of MulAddPacked reads 16 contiguous values:
//
//	dst[(j/16)*16*k + q*16 + j%16] = W[j, q]    j < n, q < k
//
// and zeros for the rows past n that fill the last panel.
func Pack(dst, w []float32, n, k, ldw int) {
	checkMatrix("W", w, n, k, ldw)
	pack(dst, n, k, func(j, q int) float32 { return w[j*ldw+q] })
}

// PackT is Pack of W given transposed: wt [k, n] of row stride ld holds
// W[j, q] at wt[q*ld+j].
func PackT(dst, wt []float32, n, k, ld int) {
	checkMatrix("W^T", wt, k, n, ld)
	if len(dst) != PackedLen(n, k) {
		panic(fmt.Sprintf("f32: PackT into %d values, want %d for [%d, %d]", len(dst), PackedLen(n, k), n, k))
	}
	for p := 0; p*PanelWidth < n; p++ {
		j0 := p * PanelWidth
		w := min(PanelWidth, n-j0)
		panel := dst[p*PanelWidth*k : (p+1)*PanelWidth*k]
		for q := 0; q < k; q++ {
			row := panel[q*PanelWidth : (q+1)*PanelWidth]
			copy(row, wt[q*ld+j0:q*ld+j0+w])
			clear(row[w:])
		}
	}
}

func pack(dst []float32, n, k int, at func(j, q int) float32) {
	if len(dst) != PackedLen(n, k) {
		panic(fmt.Sprintf("f32: Pack into %d values, want %d for [%d, %d]", len(dst), PackedLen(n, k), n, k))
	}
	for p := 0; p*PanelWidth < n; p++ {
		panel := dst[p*PanelWidth*k : (p+1)*PanelWidth*k]
		for jj := 0; jj < PanelWidth; jj++ {
			j := p*PanelWidth + jj
			for q := 0; q < k; q++ {
				v := float32(0)
				if j < n {
					v = at(j, q)
				}
				panel[q*PanelWidth+jj] = v
			}
		}
	}
}

// MulAddPacked adds x W^T to out for W [n, k] packed by Pack (p) and x
// [m, k], out [m, n] of row strides ldx and ldo. Reference loop:
//
//	for i := 0; i < m; i++ {
//		for j := 0; j < n; j++ {
//			s := float32(0)
//			for q := 0; q < k; q++ {
//				s += x[i*ldx+q] * W[j, q] // a fused multiply-add in the assembly kernels
//			}
//			out[i*ldo+j] += s
//		}
//	}
//
// Every entry is that one sum, in that order, whatever the kernel's tile
// (4 rows by 16 or 32 columns, 1 row by 16, 64 or 128) and whatever m and
// n: the entries of a column range, or of a row range, have the same bits
// when computed alone, so a product split between goroutines by panels
// repeats bit for bit. The assembly kernels round each step once (fused
// multiply-add), the portable loop twice: they agree within float32
// accumulation error. MulAddPacked panics on sizes that do not fit.
func MulAddPacked(m, n, k int, x []float32, ldx int, p []float32, out []float32, ldo int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("f32: MulAddPacked of sizes m %d, n %d, k %d", m, n, k))
	}
	checkMatrix("x", x, m, k, ldx)
	checkMatrix("out", out, m, n, ldo)
	if len(p) < PackedLen(n, k) {
		panic(fmt.Sprintf("f32: MulAddPacked's panels of %d values cannot hold [%d, %d]", len(p), n, k))
	}
	if m == 0 || n == 0 || k == 0 {
		return
	}
	mulAddPacked(m, n, k, x, ldx, p, out, ldo)
}

// mulAddPackedGo is MulAddPacked's portable loop: one row of x against one
// panel at a time, 16 sums.
func mulAddPackedGo(m, n, k int, x []float32, ldx int, p []float32, out []float32, ldo int) {
	for i := 0; i < m; i++ {
		xi := x[i*ldx : i*ldx+k]
		for j0 := 0; j0 < n; j0 += PanelWidth {
			panel := p[j0*k : (j0+PanelWidth)*k]
			var s [PanelWidth]float32
			for q, v := range xi {
				row := (*[PanelWidth]float32)(panel[q*PanelWidth:])
				for jj := range s {
					s[jj] += v * row[jj]
				}
			}
			o := out[i*ldo+j0 : i*ldo+min(j0+PanelWidth, n)]
			for jj := range o {
				o[jj] += s[jj]
			}
		}
	}
}

// MulAddPackedT is MulAddPacked on x given transposed: xt [k, m] of row
// stride ldxt holds x[i, q] at xt[q*ldxt+i]. Reference loop:
//
//	for i := 0; i < m; i++ {
//		for j := 0; j < n; j++ {
//			s := float32(0)
//			for q := 0; q < k; q++ {
//				s += xt[q*ldxt+i] * W[j, q] // a fused multiply-add in the assembly kernels
//			}
//			out[i*ldo+j] += s
//		}
//	}
//
// (each entry the bits MulAddPacked gives on x: a weight gradient, sum_s
// da[s, i] x[s, j], needs no transpose of da).
func MulAddPackedT(m, n, k int, xt []float32, ldxt int, p []float32, out []float32, ldo int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("f32: MulAddPackedT of sizes m %d, n %d, k %d", m, n, k))
	}
	checkMatrix("x^T", xt, k, m, ldxt)
	checkMatrix("out", out, m, n, ldo)
	if len(p) < PackedLen(n, k) {
		panic(fmt.Sprintf("f32: MulAddPackedT's panels of %d values cannot hold [%d, %d]", len(p), n, k))
	}
	if m == 0 || n == 0 || k == 0 {
		return
	}
	mulAddPackedT(m, n, k, xt, ldxt, p, out, ldo)
}

// mulAddPackedTGo is MulAddPackedT's portable loop.
func mulAddPackedTGo(m, n, k int, xt []float32, ldxt int, p []float32, out []float32, ldo int) {
	for i := 0; i < m; i++ {
		for j0 := 0; j0 < n; j0 += PanelWidth {
			panel := p[j0*k : (j0+PanelWidth)*k]
			var s [PanelWidth]float32
			for q := 0; q < k; q++ {
				v := xt[q*ldxt+i]
				row := (*[PanelWidth]float32)(panel[q*PanelWidth:])
				for jj := range s {
					s[jj] += v * row[jj]
				}
			}
			o := out[i*ldo+j0 : i*ldo+min(j0+PanelWidth, n)]
			for jj := range o {
				o[jj] += s[jj]
			}
		}
	}
}
