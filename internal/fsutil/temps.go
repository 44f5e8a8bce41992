package fsutil

import (
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// The temporary files of writes in progress. A signal handler (see
// RemoveTempsOnSignal) removes them, so that an interrupted write leaves
// nothing behind. The lock is held from creating a file to recording it, and
// by the handler until the process exits: no file escapes it.
var temps struct {
	sync.Mutex
	live map[string]bool
}

// createTemp creates the temporary file of a write to path and records it.
func createTemp(path string) (*os.File, error) {
	temps.Lock()
	defer temps.Unlock()
	f, err := os.CreateTemp(filepath.Dir(path), tempPrefix(path)+"*")
	if err != nil {
		return nil, err
	}
	if temps.live == nil {
		temps.live = map[string]bool{}
	}
	temps.live[f.Name()] = true
	return f, nil
}

// forgetTemp drops a temporary file from the record (it was renamed or removed).
func forgetTemp(name string) {
	temps.Lock()
	delete(temps.live, name)
	temps.Unlock()
}

func tempPrefix(path string) string { return "." + filepath.Base(path) + ".tmp-" }

// removeTemps removes every temporary file of a write in progress and
// returns their names. It keeps the lock: no new one can be made after it.
func removeTemps() []string {
	temps.Lock()
	var names []string
	for n := range temps.live {
		if os.Remove(n) == nil {
			names = append(names, n)
		}
	}
	temps.live = nil
	return names
}

// RemoveTempsOnSignal installs a handler for SIGINT and SIGTERM that removes
// the temporary files of writes in progress and ends the process with
// 128 + the signal's number (130, 143), after a line on stderr.
func RemoveTempsOnSignal() {
	ch := make(chan os.Signal, 1)
	signalCh.Store(&ch)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-ch
		names := removeTemps()
		code := 130
		if sig == syscall.SIGTERM {
			code = 143
		}
		msg := fmt.Sprintf("mvae: %v", sig)
		if len(names) > 0 {
			msg += fmt.Sprintf("; removed the unfinished %s", strings.Join(names, ", "))
		}
		fmt.Fprintln(os.Stderr, msg)
		os.Exit(code)
	}()
}

// signalCh is the channel RemoveTempsOnSignal listens on.
var signalCh atomic.Pointer[chan os.Signal]

// KeepSignals stops RemoveTempsOnSignal from handling SIGINT and SIGTERM,
// for a command that handles them itself and writes no file (mvae serve
// shuts down gracefully). Call it once the command's own handler is set, so
// that no signal falls between the two.
func KeepSignals() {
	if ch := signalCh.Load(); ch != nil {
		signal.Stop(*ch)
	}
}

// StaleTempAge is how old (by modification time) a temporary file of an
// earlier write must be before a new write to the same file removes it. A
// write in progress touches its file at least every megabyte, so a file this
// old belongs to a process that was killed (SIGKILL, a power cut) before it
// could clean up.
const StaleTempAge = 2 * time.Hour

// stale holds, per folder, the stale temporary files found there: a folder
// is listed once per process (a command that writes 100,000 files into one
// folder must not list it 100,000 times).
var stale struct {
	sync.Mutex
	dirs map[string][]string
}

// sweepStaleTemps removes the temporary files of earlier writes to path
// (".NAME.tmp-*" beside it) that are older than StaleTempAge.
func sweepStaleTemps(path string) {
	dir := filepath.Dir(path)
	stale.Lock()
	defer stale.Unlock()
	names, listed := stale.dirs[dir]
	if !listed {
		names = staleTemps(dir)
		if stale.dirs == nil {
			stale.dirs = map[string][]string{}
		}
		stale.dirs[dir] = names
	}
	prefix := tempPrefix(path)
	kept := names[:0]
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			os.Remove(filepath.Join(dir, n))
		} else {
			kept = append(kept, n)
		}
	}
	stale.dirs[dir] = kept
}

// staleTemps lists the files of dir named like a temporary file of
// WriteAtomic and older than StaleTempAge.
func staleTemps(dir string) []string {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		n := e.Name()
		if !strings.HasPrefix(n, ".") || !strings.Contains(n, ".tmp-") || !e.Type().IsRegular() {
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > StaleTempAge {
			out = append(out, n)
		}
	}
	return out
}
