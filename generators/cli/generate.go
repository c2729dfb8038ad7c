package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/hue-platform/hue-gitops/generators/argocd"
	"github.com/hue-platform/hue-gitops/generators/fileset"
	"github.com/hue-platform/hue-gitops/generators/layout"
	"github.com/hue-platform/hue-gitops/generators/pipeline"
)

func newGenerate() *cobra.Command {
	var root, cache string
	var check bool
	var progressFlag fleetFlags
	var argo argocd.Options
	c := &cobra.Command{
		Use:   "generate",
		Short: "Write base/, overlays/ and clusters/ Argo CD apps from the typed specs",
		Long: `generate reads base/*/hue.yaml and clusters/<fleet>/*.yaml, validates them (every error of
every file together, exit 2, nothing written) and writes the generated kustomize tree.
With --check it writes nothing and exits 1 listing every file that differs.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := renderer(cache)
			if err != nil {
				return badInput(err)
			}
			specs, err := pipeline.Load(root, true)
			if err != nil {
				return badInput(err)
			}
			specs.ArgoCD = argo
			p := progressFlag.progress(cmd, "generate", len(specs.Inventory.Clusters))
			out := cmd.OutOrStdout()
			if check {
				drift, n, err := pipeline.Drift(cmd.Context(), root, specs, r.Memo, tick(p))
				p.Finish()
				if err != nil {
					return badInput(err)
				}
				for _, d := range drift {
					fmt.Fprintln(out, d)
				}
				if len(drift) > 0 {
					return findings("%d generated file(s) differ from the specs: run hue generate (or make generate) and commit", len(drift))
				}
				fmt.Fprintf(out, "generated tree is up to date (%d files)\n", n)
				return nil
			}
			files, err := pipeline.GenerateFrom(cmd.Context(), root, specs, r.Memo, tick(p))
			p.Finish()
			if err != nil {
				return badInput(err)
			}
			existing, err := fileset.Existing(root, layout.Generated, layout.GeneratedDirs...)
			if err != nil {
				return badInput(err)
			}
			changed, err := fileset.Write(root, files, existing)
			if err != nil {
				return badInput(err)
			}
			for _, p := range changed {
				fmt.Fprintln(out, "wrote", p)
			}
			fmt.Fprintf(out, "%d generated files, %d changed\n", len(files), len(changed))
			return nil
		},
	}
	c.Flags().StringVar(&root, "root", ".", "repository root")
	cacheFlag(c, &cache)
	c.Flags().BoolVar(&progressFlag.noProgress, "no-progress", false, "do not show progress on stderr")
	c.Flags().StringVar(&argo.RepoURL, "repo-url", argocd.DefaultRepoURL, "Git repository the generated Applications deploy from (a fork or a test mirror)")
	c.Flags().StringVar(&argo.Revision, "revision", argocd.DefaultRevision, "branch the enterprise and science Applications and the first school ring follow")
	c.Flags().BoolVar(&check, "check", false, "write nothing; exit 1 if the committed tree differs from what generate writes")
	return c
}
