package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/hue-platform/hue-gitops/generators/fleet"
)

func newFleet() *cobra.Command {
	c := &cobra.Command{
		Use:   "fleet",
		Short: "Tools for whole fleets: synthetic fleets for benchmarks",
	}
	c.AddCommand(newFleetSynth())
	return c
}

func newFleetSynth() *cobra.Command {
	var o fleet.Options
	c := &cobra.Command{
		Use:   "synth --schools N [--science M] [--root DIR] --out DIR",
		Short: "Copy the repository's inputs into a new folder and add N school and M science clusters",
		Long: `synth copies every hand-edited input of --root (the whole tree except .git, out/, bin/,
tests/golden and generated files) into --out, which must be missing or empty, and adds N school
clusters (clusters/school/school-<town>-<nnnn>.yaml: about 1% in the first ring, 9% in the
middle ones, the rest in the last; every 50th with a service override) and M science clusters
cycling through the committed science regions. Names are deterministic and never collide with
committed clusters. Run hue generate --root DIR next.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			res, err := fleet.Synth(o)
			if err != nil {
				var ue *fleet.UsageError
				if errors.As(err, &ue) {
					return badInput(err)
				}
				return badInput(fmt.Errorf("fleet synth: %w", err))
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %d input files copied, %d school and %d science clusters added; run hue generate --root %s\n",
				o.Out, res.Copied, len(res.Schools), len(res.Science), o.Out)
			return nil
		},
	}
	c.Flags().IntVar(&o.Schools, "schools", 0, fmt.Sprintf("school clusters to add (0 to %d)", fleet.MaxClusters))
	c.Flags().IntVar(&o.Science, "science", 0, fmt.Sprintf("science clusters to add (0 to %d)", fleet.MaxClusters))
	c.Flags().StringVar(&o.Root, "root", ".", "repository root to copy the inputs from")
	c.Flags().StringVar(&o.Out, "out", "", "folder to write (missing or empty)")
	_ = c.MarkFlagRequired("out")
	return c
}
