// Command hue generates, renders and checks the Hue fleet; see generators/cli.
package main

import (
	"os"

	"github.com/hue-platform/hue-gitops/generators/cli"
)

func main() { os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }
