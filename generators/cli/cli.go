// Package cli is the hue command: generate, render, check, diff and fn share one binary.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"sigs.k8s.io/kustomize/kyaml/fn/framework/command"

	"github.com/hue-platform/hue-gitops/generators/api/v1alpha1"
	"github.com/hue-platform/hue-gitops/generators/fileset"
	"github.com/hue-platform/hue-gitops/generators/fn"
	"github.com/hue-platform/hue-gitops/generators/pipeline"
	"github.com/hue-platform/hue-gitops/generators/platform"
	"github.com/hue-platform/hue-gitops/generators/progress"
	"github.com/hue-platform/hue-gitops/generators/render"
	"github.com/hue-platform/hue-gitops/generators/shard"
)

// Exit codes every subcommand keeps.
const (
	ExitOK       = 0
	ExitFindings = 1
	ExitBadInput = 2
)

// exitError carries the exit code of a failure.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func badInput(err error) error { return &exitError{ExitBadInput, err} }

func findings(format string, args ...any) error {
	return &exitError{ExitFindings, fmt.Errorf(format, args...)}
}

// Main runs the hue command with args and returns its exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRoot(stdin, stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.err.Error() != "" {
			fmt.Fprintln(stderr, "hue:", ee.err)
		}
		return ee.code
	}
	// cobra's own errors are usage errors: unknown flag, wrong argument count.
	fmt.Fprintln(stderr, "hue:", err)
	return ExitBadInput
}

func newRoot(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "hue",
		Short:         "Generate, render and check the Hue platform's GitOps tree",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.Version = "x" // enables --version; the template prints versionText
	root.SetVersionTemplate(versionText())
	// Folders named by flags must exist before any work is done: a missing --root, --base-dir
	// or folder of -o fails at once (exit 2), not after minutes of rendering.
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		for _, name := range []string{"root", "base-dir"} {
			if f := cmd.Flags().Lookup(name); f != nil && f.Changed {
				if st, err := os.Stat(f.Value.String()); err != nil || !st.IsDir() {
					return badInput(fmt.Errorf("--%s %s: not a folder", name, f.Value.String()))
				}
			}
		}
		if f := cmd.Flags().Lookup("output"); f != nil && f.Value.String() != "" && f.Value.Type() == "string" {
			dir := filepath.Dir(f.Value.String())
			if st, err := os.Stat(dir); err != nil || !st.IsDir() {
				return badInput(fmt.Errorf("-o %s: the folder %s does not exist", f.Value.String(), dir))
			}
		}
		return nil
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newGenerate(), newRender(), newCheck(), newDiff(), newFn(), newFleet(), newReport(), newPromote(), newVersion())
	usage := root.UsageTemplate()
	for _, set := range []string{"LocalFlags", "InheritedFlags"} {
		usage = strings.ReplaceAll(usage, "{{."+set+".FlagUsages", "{{flagUsages ."+set)
	}
	root.SetUsageTemplate(usage)
	return root
}

func init() { cobra.AddTemplateFunc("flagUsages", flagUsages) }

// plainValue hides a bool flag's IsBoolFlag from pflag, which since v1.1.0 prints such a flag
// as --name[=true|false]; the help then reads --name, as cobra's other users show it.
type plainValue struct{ pflag.Value }

func flagUsages(fs *pflag.FlagSet) string {
	out := pflag.NewFlagSet("", pflag.ContinueOnError)
	fs.VisitAll(func(f *pflag.Flag) {
		c := *f
		c.Value = plainValue{f.Value}
		out.AddFlag(&c)
	})
	return out.FlagUsages()
}

func newFn() *cobra.Command {
	c := command.Build(fn.Processor(), command.StandaloneEnabled, true) // main prints the error once
	c.Use = "fn [FILE...]"
	c.Short = "Run hue as a KRM function: the service generator, or the checks with a HueCheck functionConfig"
	c.Long = `Read a ResourceList on stdin (or FILE... with the functionConfig first) and write it to stdout.

With Hue specs (HueService, HueCompartment, HueDataStore) as functionConfig or items, replace them
by the objects of their bases. With a HueCheck functionConfig (spec.cluster, spec.root), run every
check of hue check --manifests on the items as that cluster's objects and return them unchanged
with one result per finding; findings of severity error fail the function (exit 1).`
	run := c.RunE
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if err := run(cmd, args); err != nil {
			var found fn.Findings
			if errors.As(err, &found) {
				return &exitError{ExitFindings, err}
			}
			return &exitError{ExitBadInput, err}
		}
		return nil
	}
	return c
}

// writeOutput writes a report to stdout, or to the file output atomically: a temporary file in
// the same folder renamed over it once complete, so a failed run leaves no half report.
func writeOutput(output string, stdout io.Writer, write func(io.Writer) error) error {
	if output == "" {
		return write(stdout)
	}
	return fileset.WriteAtomicFunc(output, write)
}

// cacheFlag adds --cache to a command that renders.
func cacheFlag(c *cobra.Command, dir *string) {
	c.Flags().StringVar(dir, "cache", "", "keep overlay builds in this folder and reuse those whose every input is unchanged")
}

// renderer is the render strategy: kustomize's build of each overlay, remembered in the cache
// folder when one is given, so an overlay whose inputs did not change is not built again.
func renderer(cache string) (render.Krusty, error) {
	if cache == "" {
		return render.Krusty{}, nil
	}
	m, err := render.OpenMemo(cache)
	if err != nil {
		return render.Krusty{}, fmt.Errorf("--cache %s: %w", cache, err)
	}
	return render.Krusty{Memo: m}, nil
}

// fleetFlags are the flags of every command that renders many clusters: a shard of the fleet
// for a CI matrix, and progress on stderr.
type fleetFlags struct {
	shard      string
	noProgress bool
}

func (f *fleetFlags) add(c *cobra.Command) {
	c.Flags().StringVar(&f.shard, "shard", "", "only the clusters of shard K of N (K/N): a stable partition by cluster name, for a CI matrix")
	c.Flags().BoolVar(&f.noProgress, "no-progress", false, "do not show progress on stderr")
}

// selected is the named clusters of the inventory (all of them when none is named), within
// the shard.
func (f *fleetFlags) selected(inv *platform.Inventory, names []string) ([]*v1alpha1.HueCluster, shard.Shard, error) {
	sh, err := shard.Parse(f.shard)
	if err != nil {
		return nil, sh, err
	}
	clusters, err := pipeline.Select(inv, names)
	if err != nil || sh.All() {
		return clusters, sh, err
	}
	var out []*v1alpha1.HueCluster
	for _, c := range clusters {
		if sh.Has(c.Name) {
			out = append(out, c)
		}
	}
	return out, sh, nil
}

// progress reports on stderr how many of n clusters are done; nil when it is off or the run
// is short.
func (f *fleetFlags) progress(cmd *cobra.Command, label string, n int) *progress.Reporter {
	if f.noProgress {
		return nil
	}
	return progress.ForStderr(cmd.ErrOrStderr(), label, n)
}

// tick is the callback that counts one cluster done.
func tick(p *progress.Reporter) func() {
	if p == nil {
		return nil
	}
	return func() { p.Done(1) }
}
