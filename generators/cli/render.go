package cli

import (
	"fmt"
	"path"

	"github.com/spf13/cobra"

	"github.com/hue-platform/hue-gitops/generators/fileset"
	"github.com/hue-platform/hue-gitops/generators/pipeline"
)

func newRender() *cobra.Command {
	var root, out, cache string
	c := &cobra.Command{
		Use:   "render [CLUSTER...]",
		Short: "Build every cluster's overlay in process (kustomize krusty) into one file per cluster",
		Long: `render builds overlays/<cluster> for the named clusters (all when none are named), in parallel,
and writes <out>/<cluster>.yaml atomically: exactly what 'kustomize build overlays/<cluster>' prints.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			specs, err := pipeline.Load(root, true)
			if err != nil {
				return badInput(err)
			}
			results, err := renderSelected(cmd.Context(), root, cache, specs.Inventory, args)
			if err != nil {
				return badInput(err)
			}
			files := fileset.Files{}
			for _, r := range results {
				files[r.Cluster+".yaml"] = r.YAML
			}
			changed, err := fileset.Write(out, files, nil)
			if err != nil {
				return badInput(err)
			}
			w := cmd.OutOrStdout()
			for _, p := range changed {
				fmt.Fprintln(w, "wrote", path.Join(out, p))
			}
			fmt.Fprintf(w, "rendered %d cluster(s) into %s, %d changed\n", len(results), out, len(changed))
			return nil
		},
	}
	c.Flags().StringVar(&root, "root", ".", "repository root")
	cacheFlag(c, &cache)
	c.Flags().StringVar(&out, "out", "out/rendered", "folder for the rendered <cluster>.yaml files")
	return c
}
