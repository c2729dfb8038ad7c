package cli

import (
	"fmt"
	"os"
	"path"

	"github.com/spf13/cobra"

	"github.com/hue-platform/hue-gitops/generators/fileset"
	"github.com/hue-platform/hue-gitops/generators/pipeline"
	"github.com/hue-platform/hue-gitops/generators/render"
)

func newRender() *cobra.Command {
	var root, out, cache string
	var fleet fleetFlags
	c := &cobra.Command{
		Use:   "render [CLUSTER...]",
		Short: "Build every cluster's overlay in process (kustomize krusty) into one file per cluster",
		Long: `render builds overlays/<cluster> for the named clusters (all when none are named), in parallel,
and writes <out>/<cluster>.yaml: exactly what 'kustomize build overlays/<cluster>' prints. Files
are written as clusters are built and put in place together at the end, so a failed run
changes none.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			specs, err := pipeline.Load(root, true)
			if err != nil {
				return badInput(err)
			}
			selected, _, err := fleet.selected(specs.Inventory, args)
			if err != nil {
				return badInput(err)
			}
			r, err := renderer(cache)
			if err != nil {
				return badInput(err)
			}
			if err := os.MkdirAll(out, 0o755); err != nil {
				return badInput(fmt.Errorf("--out: %w", err))
			}
			p := fleet.progress(cmd, "render", len(selected))
			r.Want, r.Progress = render.WantYAML, tick(p)
			stage := fileset.NewStage(out)
			err = pipeline.Stream(cmd.Context(), r, root, selected, func(res render.Result) error {
				return stage.Add(res.Cluster+".yaml", res.YAML)
			})
			p.Finish()
			if err != nil {
				stage.Abort()
				return badInput(err)
			}
			changed, err := stage.Commit()
			if err != nil {
				return badInput(err)
			}
			w := cmd.OutOrStdout()
			for _, p := range changed {
				fmt.Fprintln(w, "wrote", path.Join(out, p))
			}
			fmt.Fprintf(w, "rendered %d cluster(s) into %s, %d changed\n", len(selected), out, len(changed))
			return nil
		},
	}
	c.Flags().StringVar(&root, "root", ".", "repository root")
	cacheFlag(c, &cache)
	c.Flags().StringVar(&out, "out", "out/rendered", "folder for the rendered <cluster>.yaml files")
	fleet.add(c)
	return c
}
