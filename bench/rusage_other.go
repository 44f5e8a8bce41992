//go:build !linux

package bench

// maxrssBytes: ru_maxrss in bytes (macOS); other systems may differ.
func maxrssBytes(v int64) int64 { return v }
