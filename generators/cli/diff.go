package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hue-platform/hue-gitops/generators/diff"
	"github.com/hue-platform/hue-gitops/generators/render"
	"github.com/hue-platform/hue-gitops/generators/shard"
)

func newDiff() *cobra.Command {
	var root, base, baseDir, format, output, cache string
	var exitCode bool
	var fleet fleetFlags
	c := &cobra.Command{
		Use:   "diff",
		Short: "Render every cluster at the base revision and in the working tree and show what changes",
		Long: `diff renders every overlays/<cluster> of the base (a git revision read from the repository
without touching the working copy, or a folder) and of the working tree with the same in-process
kustomize build, and compares them object by object: the clusters a change reaches, what is
added, changed and removed in each, and the generated Argo CD definitions that changed.

Without --base it tries ` + strings.Join(diff.DefaultBases, ", then ") + `. In CI, fetch the base branch first
(a shallow checkout has none). --format affected prints only the affected cluster names.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if base != "" && baseDir != "" {
				return badInput(fmt.Errorf("--base and --base-dir exclude each other"))
			}
			if !slices.Contains(diff.Formats, format) {
				return badInput(fmt.Errorf("--format %q: one of %s", format, strings.Join(diff.Formats, ", ")))
			}
			var from diff.Tree
			if baseDir != "" {
				from = diff.Dir(baseDir)
			} else {
				var err error
				if from, err = diff.FromGit(root, base); err != nil {
					return badInput(err)
				}
			}
			r, err := renderer(cache)
			if err != nil {
				return badInput(err)
			}
			if r.Memo == nil {
				// One memo for both sides: a cluster the change does not touch is built once.
				r.Memo = render.NewMemo()
			}
			sh, err := shard.Parse(fleet.shard)
			if err != nil {
				return badInput(err)
			}
			opts := diff.Options{}
			if !sh.All() {
				opts.Only = sh.Has
			}
			head := diff.Dir(root)
			if overlays, err := head.Overlays(); err == nil {
				p := fleet.progress(cmd, "diff", len(overlays))
				defer p.Finish()
				opts.Progress = tick(p)
			}
			rep, err := diff.CompareWith(cmd.Context(), r, from, head, opts)
			if err != nil {
				return badInput(err)
			}
			if err := writeOutput(output, cmd.OutOrStdout(), func(w io.Writer) error { return diff.Write(w, format, rep) }); err != nil {
				return badInput(err)
			}
			if exitCode && !rep.Empty() {
				return findings("")
			}
			return nil
		},
	}
	c.Flags().StringVar(&root, "root", ".", "repository root: the head side, and the repository the base revision is read from")
	cacheFlag(c, &cache)
	c.Flags().StringVar(&base, "base", "", "git revision to compare against (branch, tag, commit)")
	c.Flags().StringVar(&baseDir, "base-dir", "", "compare against this folder (a checkout of the base) instead of a git revision")
	c.Flags().StringVar(&format, "format", "text", "output format: "+strings.Join(diff.Formats, ", "))
	c.Flags().StringVarP(&output, "output", "o", "", "write the diff to this file (atomically) instead of stdout")
	c.Flags().BoolVar(&exitCode, "exit-code", false, "exit 1 when anything differs, as git diff --exit-code")
	fleet.add(c)
	return c
}
