//go:build race

package native

// raceEnabled: the race detector allocates in channel and sync operations,
// so allocation counts mean nothing under it.
const raceEnabled = true
