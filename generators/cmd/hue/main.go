// Command hue generates, renders and checks the Hue fleet; see generators/cli.
package main

import (
	"os"
	"runtime/debug"

	"github.com/hue-platform/hue-gitops/generators/cli"
)

func main() {
	// A short batch run with a small live heap: fewer GC cycles make a fleet check about a sixth
	// faster for about 100 MB more memory. GOGC in the environment still decides.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
