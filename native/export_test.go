package native

// SplitParts forces the number of parts of every split (0: the default
// rule), for the benchmarks of package native_test; it returns the old
// value.
func SplitParts(parts int) int {
	old := splitParts
	splitParts = parts
	return old
}
