//go:build !amd64 || purego

package f32

// PairsBF16 is false: MulAddPairsBF16 runs its portable loop only.
const PairsBF16 = false

// mulAddPairs is MulAddPairsBF16 on sizes already checked.
func mulAddPairs(m, n, k int, x []float32, ldx int, p []uint16, out []float32, ldo int) {
	mulAddPairsGo(m, n, k, x, ldx, p, out, ldo)
}
