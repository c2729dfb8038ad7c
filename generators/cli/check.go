package cli

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/hue-platform/hue-gitops/generators/api/v1alpha1"
	"github.com/hue-platform/hue-gitops/generators/check"
	"github.com/hue-platform/hue-gitops/generators/check/report"
	"github.com/hue-platform/hue-gitops/generators/fileset"
	"github.com/hue-platform/hue-gitops/generators/layout"
	"github.com/hue-platform/hue-gitops/generators/manifest"
	"github.com/hue-platform/hue-gitops/generators/pipeline"
	"github.com/hue-platform/hue-gitops/generators/render"
)

func newCheck() *cobra.Command {
	var root, format, output, manifests, clusterName, cache string
	var summary bool
	var fleet fleetFlags
	c := &cobra.Command{
		Use:   "check [CLUSTER...]",
		Short: "Render and check clusters: schema, scheduling, references, OPA policies, Argo CD apps",
		Long: `check renders the named clusters (all when none are named) and runs every check on them.
With --manifests PATH --cluster NAME it checks any rendered YAML as if it were that cluster's.
Exit 0 clean, 1 findings, 2 bad input or usage.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(report.Formats, format) {
				return badInput(fmt.Errorf("--format %q: want one of %v", format, report.Formats))
			}
			if (manifests == "") != (clusterName == "") {
				return badInput(fmt.Errorf("--manifests and --cluster go together"))
			}
			if manifests != "" && len(args) > 0 {
				return badInput(fmt.Errorf("--manifests checks one cluster: name it with --cluster, not as an argument"))
			}
			specs, err := pipeline.Load(root, true)
			if err != nil {
				return badInput(err)
			}
			checker, err := pipeline.NewChecker(root)
			if err != nil {
				return badInput(err)
			}
			var run checkRun
			if manifests != "" {
				spec := specs.Inventory.Cluster(clusterName)
				if spec == nil {
					return badInput(fmt.Errorf("--cluster %q: no such cluster in clusters/", clusterName))
				}
				objs, err := manifest.Load(manifests)
				if err != nil {
					return badInput(err)
				}
				cl := &check.Cluster{Spec: spec, Objects: objs, Overlay: filepath.ToSlash(manifests),
					SpecFile: specs.Inventory.Files[v1alpha1.KindCluster+"/"+clusterName]}
				if err := run.add(cmd.Context(), checker, cl, nil); err != nil {
					return badInput(err)
				}
			} else {
				selected, sh, err := fleet.selected(specs.Inventory, args)
				if err != nil {
					return badInput(err)
				}
				// A waiver for any cluster is unused only if no cluster of the fleet needs it.
				checker.WholeFleet = len(args) == 0 && sh.All()
				r, err := renderer(cache)
				if err != nil {
					return badInput(err)
				}
				todo := selected
				var cc *pipeline.CheckCache
				var sess *render.Session
				if cache != "" {
					// Clusters whose every input is as when they were last checked are not
					// rendered or checked again.
					if sess, err = r.Open(root, pipeline.Overlays(selected)); err != nil {
						return badInput(err)
					}
					if cc, err = pipeline.OpenCheckCache(cache, root, sess.SourcesDigest()); err != nil {
						return badInput(fmt.Errorf("--cache %s: %w", cache, err))
					}
					hit := make([]bool, len(selected))
					var g errgroup.Group
					g.SetLimit(runtime.GOMAXPROCS(0))
					for i, c := range selected {
						g.Go(func() error {
							cl := pipeline.ClusterOf(specs.Inventory, render.Result{Cluster: c.Name, Overlay: layout.OverlayDir(c.Name)})
							if fp, ok := sess.Fingerprint(c.Name); ok {
								if key, err := cc.Key(cl, fp); err == nil {
									if e, ok := cc.Get(c.Name, key); ok {
										run.cached(cl, e)
										hit[i] = true
									}
								}
							}
							return nil
						})
					}
					_ = g.Wait()
					todo = nil
					for i, c := range selected {
						if !hit[i] {
							todo = append(todo, c)
						}
					}
				}
				p := fleet.progress(cmd, "check", len(todo))
				r.Want, r.Progress = render.WantObjects, tick(p)
				err = pipeline.Stream(cmd.Context(), r, root, todo, func(res render.Result) error {
					cl := pipeline.ClusterOf(specs.Inventory, res)
					return run.add(cmd.Context(), checker, cl, func(found []check.Finding, sum report.Cluster, workloads int) {
						if cc == nil {
							return
						}
						if fp, ok := sess.Fingerprint(cl.Spec.Name); ok {
							if key, err := cc.Key(cl, fp); err == nil {
								cc.Put(key, cl, found, sum, workloads)
							}
						}
					})
				})
				p.Finish()
				if err != nil {
					return badInput(err)
				}
				if len(args) == 0 {
					// The Argo CD apps are checked against every cluster of this run; a shard
					// keeps the findings of its own clusters and those of no cluster, which
					// every shard reports alike and merging keeps once.
					argo, err := pipeline.CheckArgoCD(root, specs.Inventory, run.skeletons, cc)
					if err != nil {
						return badInput(err)
					}
					for _, f := range argo {
						if sh.All() || f.Cluster == "" || sh.Has(f.Cluster) {
							run.found = append(run.found, f)
						}
					}
					// A spec edited without regenerating: the tree checked is not what the
					// specs say. One shard is enough to say so (it costs a generate).
					if sh.All() || sh.Index == 1 {
						var drift []fileset.Drift
						if sh.All() {
							drift, _, err = pipeline.DriftRendered(cmd.Context(), root, specs, r.Memo, run.rendered())
						} else {
							drift, _, err = pipeline.Drift(cmd.Context(), root, specs, r.Memo, nil)
						}
						if err != nil {
							return badInput(err)
						}
						run.found = append(run.found, pipeline.StaleFindings(drift)...)
					}
				}
			}
			found := checker.Finish(run.found, run.names())

			err = writeOutput(output, cmd.OutOrStdout(), func(w io.Writer) error {
				return report.Write(w, format, report.Input{Findings: found, Waived: checker.Waived,
					Rules: checker.Rules(), Clusters: run.summary()})
			})
			if err != nil {
				return badInput(err)
			}
			if summary {
				printSummary(cmd.ErrOrStderr(), run.summary(), run.workloads, found)
			}
			if n := check.Errors(found); n > 0 {
				return findings("%d finding(s) in %d cluster(s)", n, len(run.clusters))
			}
			return nil
		},
	}
	c.Flags().StringVar(&root, "root", ".", "repository root")
	cacheFlag(c, &cache)
	c.Flags().StringVar(&format, "format", "text", "output format: text, json, sarif, junit or markdown")
	c.Flags().StringVarP(&output, "output", "o", "", "write the report to this file (atomically) instead of stdout")
	c.Flags().StringVar(&manifests, "manifests", "", "check this rendered YAML file (or folder) instead of rendering overlays")
	c.Flags().StringVar(&clusterName, "cluster", "", "with --manifests: the cluster the manifests are checked as")
	c.Flags().BoolVar(&summary, "summary", false, "print a per-cluster table (objects, workloads, findings) on stderr")
	fleet.add(c)
	return c
}

// checkRun gathers what a streamed check keeps of each cluster once its objects are let go:
// its findings, its summary row and the skeleton the Argo CD checks read.
type checkRun struct {
	mu        sync.Mutex
	found     []check.Finding
	clusters  []report.Cluster
	workloads map[string]int
	skeletons []*check.Cluster
}

func (r *checkRun) add(ctx context.Context, ck *pipeline.Checker, c *check.Cluster, keep func([]check.Finding, report.Cluster, int)) error {
	found, err := ck.CheckCluster(ctx, c)
	if err != nil {
		return err
	}
	workloads := 0
	for _, o := range c.Objects {
		if manifest.IsWorkload(o) {
			workloads++
		}
	}
	sum := pipeline.Summary([]*check.Cluster{c})[0]
	if keep != nil {
		keep(found, sum, workloads)
	}
	r.keep(&check.Cluster{Spec: c.Spec, Objects: manifest.Skeleton(c.Objects), Overlay: c.Overlay, SpecFile: c.SpecFile}, found, sum, workloads)
	return nil
}

// cached takes a cluster's results from the check cache.
func (r *checkRun) cached(c *check.Cluster, e *pipeline.CachedCheck) {
	c.Objects = e.Objects()
	r.keep(c, e.Findings, e.Summary, e.Workloads)
}

func (r *checkRun) keep(skeleton *check.Cluster, found []check.Finding, sum report.Cluster, workloads int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.found = append(r.found, found...)
	r.clusters = append(r.clusters, sum)
	if r.workloads == nil {
		r.workloads = map[string]int{}
	}
	r.workloads[sum.Name] = workloads
	r.skeletons = append(r.skeletons, skeleton)
}

// rendered is each cluster's skeleton, by name.
func (r *checkRun) rendered() map[string][]manifest.Object {
	out := make(map[string][]manifest.Object, len(r.skeletons))
	for _, c := range r.skeletons {
		out[c.Spec.Name] = c.Objects
	}
	return out
}

func (r *checkRun) summary() []report.Cluster {
	out := slices.Clone(r.clusters)
	slices.SortFunc(out, func(a, b report.Cluster) int { return strings.Compare(a.Name, b.Name) })
	return out
}

func (r *checkRun) names() []string {
	out := make([]string, len(r.clusters))
	for i, c := range r.clusters {
		out[i] = c.Name
	}
	return out
}

func printSummary(w io.Writer, clusters []report.Cluster, workloads map[string]int, found []check.Finding) {
	errs, warns := map[string]int{}, map[string]int{}
	for _, f := range found {
		if f.Severity == check.SeverityError {
			errs[f.Cluster]++
		} else {
			warns[f.Cluster]++
		}
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CLUSTER\tFLEET\tENV\tOBJECTS\tWORKLOADS\tERRORS\tWARNINGS")
	for _, c := range clusters {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\n", c.Name, c.Fleet, c.Environment, c.Objects, workloads[c.Name], errs[c.Name], warns[c.Name])
	}
	tw.Flush()
}
