// Command hue generates, renders and checks the Hue fleet; see generators/cli.
package main

import (
	"os"
	"runtime/debug"
	"runtime/pprof"

	"github.com/hue-platform/hue-gitops/generators/cli"
)

func main() {
	// A short batch run with a small live heap: fewer GC cycles make a fleet check about a sixth
	// faster for about 100 MB more memory. GOGC in the environment still decides. The soft
	// memory limit makes the collector work harder only as the heap nears it, so a fleet of
	// thousands of clusters stays within a CI runner's memory; GOMEMLIMIT still decides.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(1 << 30)
	}
	// HUE_CPUPROFILE=FILE writes a CPU profile of the run, for `go tool pprof`.
	if p := os.Getenv("HUE_CPUPROFILE"); p != "" {
		if f, err := os.Create(p); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				defer pprof.StopCPUProfile()
			}
		}
	}
	code := cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	pprof.StopCPUProfile()
	os.Exit(code)
}
