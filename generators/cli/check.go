package cli

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/hue-platform/hue-gitops/generators/api/v1alpha1"
	"github.com/hue-platform/hue-gitops/generators/check"
	"github.com/hue-platform/hue-gitops/generators/check/report"
	"github.com/hue-platform/hue-gitops/generators/check/scheduling"
	"github.com/hue-platform/hue-gitops/generators/pipeline"
)

func newCheck() *cobra.Command {
	var root, format, output, manifests, clusterName, cache string
	var summary bool
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
			checker.WholeFleet = manifests == "" && len(args) == 0
			var clusters []*check.Cluster
			if manifests != "" {
				spec := specs.Inventory.Cluster(clusterName)
				if spec == nil {
					return badInput(fmt.Errorf("--cluster %q: no such cluster in clusters/", clusterName))
				}
				objs, err := check.LoadManifests(manifests)
				if err != nil {
					return badInput(err)
				}
				clusters = []*check.Cluster{{Spec: spec, Objects: objs, Overlay: filepath.ToSlash(manifests),
					SpecFile: specs.Inventory.Files[v1alpha1.KindCluster+"/"+clusterName]}}
			} else {
				results, err := renderSelected(cmd.Context(), root, cache, specs.Inventory, args)
				if err != nil {
					return badInput(err)
				}
				clusters = pipeline.Clusters(specs.Inventory, results)
			}
			found, err := checker.Check(cmd.Context(), clusters)
			if err != nil {
				return badInput(err)
			}
			if manifests == "" && len(args) == 0 {
				argo, err := pipeline.CheckArgoCD(root, specs.Inventory, clusters)
				if err != nil {
					return badInput(err)
				}
				found = append(found, argo...)
				check.Sort(found)
			}

			err = writeOutput(output, cmd.OutOrStdout(), func(w io.Writer) error {
				return report.Write(w, format, report.Input{Findings: found, Waived: checker.Waived,
					Rules: checker.Rules(), Clusters: pipeline.Summary(clusters)})
			})
			if err != nil {
				return badInput(err)
			}
			if summary {
				printSummary(cmd.ErrOrStderr(), clusters, found)
			}
			if n := check.Errors(found); n > 0 {
				return findings("%d finding(s) in %d cluster(s)", n, len(clusters))
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
	return c
}

func printSummary(w io.Writer, clusters []*check.Cluster, found []check.Finding) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CLUSTER\tFLEET\tENV\tOBJECTS\tWORKLOADS\tERRORS\tWARNINGS")
	for _, c := range clusters {
		workloads := 0
		for _, o := range c.Objects {
			if _, _, _, ok, _ := scheduling.PodTemplate(o); ok {
				workloads++
			}
		}
		errs, warns := 0, 0
		for _, f := range found {
			if f.Cluster != c.Spec.Name {
				continue
			}
			if f.Severity == check.SeverityError {
				errs++
			} else {
				warns++
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\n", c.Spec.Name, c.Spec.Spec.Fleet, c.Spec.Spec.Environment, len(c.Objects), workloads, errs, warns)
	}
	tw.Flush()
}
