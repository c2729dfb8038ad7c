package cli

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hue-platform/hue-gitops/generators/diff"
	"github.com/hue-platform/hue-gitops/generators/layout"
	"github.com/hue-platform/hue-gitops/generators/pipeline"
	"github.com/hue-platform/hue-gitops/generators/render"
	"github.com/hue-platform/hue-gitops/generators/shard"
)

func newDiff() *cobra.Command {
	var root, base, baseDir, format, output, cache string
	var exitCode bool
	var overrideFlags []string
	var fleet fleetFlags
	c := &cobra.Command{
		Use:   "diff",
		Short: "Render every cluster at the base revision and in the working tree and show what changes",
		Long: `diff renders every overlays/<cluster> of the base (a git revision read from the repository
without touching the working copy, at its merge base with HEAD as a pull request's diff is, or
a folder) and of the working tree with the same in-process kustomize build, and compares them
object by object: the clusters a change reaches, what is added, changed and removed in each
(clusters of one fleet and ring with the same change shown once), Secret values masked, and the
generated Argo CD definitions that changed.

The blast-radius guard then counts, per fleet, ring and environment, the clusters removed and
changed, the Applications removed, the Namespaces, persistent workloads and CRDs Argo CD would
delete, and the share of production clusters changed at once, against the limits of
` + layout.GuardFile + ` (read from the base: a pull request cannot loosen its own limits). Over a
limit it exits 1 naming what would be deleted and which finalizer cascades, unless --override
names that limit. It also exits 1 when the working tree's generated files are not what its specs
generate.

Without --base it tries ` + strings.Join(diff.DefaultBases, ", then ") + `. In CI, fetch the base branch first
(a shallow checkout has none). --format affected prints the clusters in the head a change reaches,
--format removed the clusters it removes, one a line.`,
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
				if st, err := os.Stat(baseDir); err != nil || !st.IsDir() {
					return badInput(fmt.Errorf("--base-dir %s: not a folder", baseDir))
				}
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
			guard, source, err := diff.LoadGuard(from, head)
			if err != nil {
				return badInput(err)
			}
			var overrides []string
			for _, o := range overrideFlags {
				for _, name := range strings.Split(o, ",") {
					if name = strings.TrimSpace(name); name != "" {
						overrides = append(overrides, name)
					}
				}
			}
			// The specs of the head, regenerated in memory: a spec edited without `hue generate`
			// would otherwise pass as "no change".
			specs, err := pipeline.Load(root, true)
			if err != nil {
				return badInput(err)
			}
			drift, _, err := pipeline.Drift(cmd.Context(), root, specs, r.Memo, nil)
			if err != nil {
				return badInput(err)
			}
			rep, err := diff.CompareWith(cmd.Context(), r, from, head, opts)
			if err != nil {
				return badInput(err)
			}
			for _, d := range drift {
				rep.Stale = append(rep.Stale, d.Path)
			}
			verdict, err := rep.Judge(guard, source, overrides)
			if err != nil {
				return badInput(err)
			}
			if err := writeOutput(output, cmd.OutOrStdout(), func(w io.Writer) error { return diff.Write(w, format, rep) }); err != nil {
				return badInput(err)
			}
			var failed []string
			if len(rep.Stale) > 0 {
				failed = append(failed, fmt.Sprintf("%d generated file(s) are not what the specs generate (%s): run hue generate and commit", len(rep.Stale), strings.Join(rep.Stale[:min(len(rep.Stale), 5)], ", ")))
			}
			if tripped := verdict.Tripped(); len(tripped) > 0 {
				failed = append(failed, fmt.Sprintf("blast-radius guard: %s exceeded (%s); if intended, pass --override %s (pull-request label guard-override/<limit>)",
					strings.Join(tripped, ", "), source, strings.Join(tripped, ",")))
			}
			if len(failed) > 0 {
				return findings("%s", strings.Join(failed, "; "))
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
	c.Flags().StringSliceVar(&overrideFlags, "override", nil, "let the change exceed this blast-radius limit of "+layout.GuardFile+" (its name; repeatable or comma-separated)")
	fleet.add(c)
	return c
}
