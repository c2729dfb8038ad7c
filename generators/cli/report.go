package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
	"github.com/spf13/cobra"

	"github.com/hue-platform/hue-gitops/generators/check"
	"github.com/hue-platform/hue-gitops/generators/check/report"
	"github.com/hue-platform/hue-gitops/generators/pipeline"
)

func newReport() *cobra.Command {
	c := &cobra.Command{
		Use:   "report",
		Short: "Work with the reports hue check writes",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return badInput(fmt.Errorf("report needs a subcommand: merge"))
		},
	}
	c.AddCommand(newReportMerge())
	return c
}

func newReportMerge() *cobra.Command {
	var root, format, output string
	c := &cobra.Command{
		Use:   "merge FILE...",
		Short: "Merge the reports of a sharded hue check into the report of the whole run",
		Long: `merge joins the reports of hue check --shard K/N runs into one, as one run over all their
clusters would have written it.

The FILEs are either all hue check json reports (--format json), or all SARIF logs. A file is
read as SARIF when it is a JSON object with a "runs" key, whatever its name. json reports
render in any --format (text by default), with the rules of the policies under --root; a
cluster in two reports is an error, since the shards overlapped. SARIF logs merge only to
--format sarif (the default for them): they lack what the other formats need.

Exit 0 clean, 1 when the merged report has errors, 2 bad input or usage.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			if format != "" && !slices.Contains(report.Formats, format) {
				return badInput(fmt.Errorf("--format %q: want one of %v", format, report.Formats))
			}
			data := make([][]byte, len(files))
			sarifs := 0
			for i, f := range files {
				b, err := os.ReadFile(f)
				if err != nil {
					return badInput(err)
				}
				data[i] = b
				if isSARIF(b) {
					sarifs++
				}
			}
			switch {
			case sarifs == len(files):
				return mergeSARIF(cmd, files, data, format, output)
			case sarifs > 0:
				for i, f := range files {
					if isSARIF(data[i]) {
						continue
					}
					if _, err := report.ReadJSON(bytes.NewReader(data[i])); err != nil {
						return badInput(fmt.Errorf("%s: %w", f, err))
					}
				}
				return badInput(fmt.Errorf("%s: SARIF logs and json reports do not merge together", kinds(files, data)))
			}
			if format == "" {
				format = "text"
			}
			parts := make([]report.Part, len(files))
			for i, f := range files {
				in, err := report.ReadJSON(bytes.NewReader(data[i]))
				if err != nil {
					return badInput(fmt.Errorf("%s: %w", f, err))
				}
				parts[i] = report.Part{Name: f, Input: in}
			}
			in, err := report.Merge(parts...)
			if err != nil {
				return badInput(err)
			}
			checker, err := pipeline.NewChecker(root)
			if err != nil {
				return badInput(err)
			}
			in.Rules = checker.Rules()
			if err := writeOutput(output, cmd.OutOrStdout(), func(w io.Writer) error { return report.Write(w, format, in) }); err != nil {
				return badInput(err)
			}
			if n := check.Errors(in.Findings); n > 0 {
				return findings("%d finding(s) in %d cluster(s)", n, len(in.Clusters))
			}
			return nil
		},
	}
	c.Flags().StringVar(&root, "root", ".", "repository root, whose policies describe the rules of json reports")
	c.Flags().StringVar(&format, "format", "", "output format: text (the default for json reports), json, sarif (the default and only one for SARIF logs), junit or markdown")
	c.Flags().StringVarP(&output, "output", "o", "", "write the report to this file (atomically) instead of stdout")
	return c
}

func mergeSARIF(cmd *cobra.Command, files []string, data [][]byte, format, output string) error {
	if format != "" && format != "sarif" {
		return badInput(fmt.Errorf("--format %s: SARIF logs merge only to sarif; merge the shards' json reports for other formats", format))
	}
	for i, b := range data {
		// Name the file here: MergeSARIF counts logs, not files.
		if _, err := sarif.FromBytes(b); err != nil {
			return badInput(fmt.Errorf("%s: %w", files[i], err))
		}
	}
	merged, err := report.MergeSARIF(data...)
	if err != nil {
		return badInput(fmt.Errorf("%w (logs counted from 1 in the order given: %s)", err, strings.Join(files, ", ")))
	}
	if err := writeOutput(output, cmd.OutOrStdout(), func(w io.Writer) error {
		_, err := w.Write(merged)
		return err
	}); err != nil {
		return badInput(err)
	}
	n, err := sarifErrors(merged)
	if err != nil {
		return badInput(err)
	}
	if n > 0 {
		return findings("%d error result(s) in the merged SARIF log", n)
	}
	return nil
}

// isSARIF tells a SARIF log from a hue check json report, which has no "runs".
func isSARIF(b []byte) bool {
	var top map[string]json.RawMessage
	if json.Unmarshal(b, &top) != nil {
		return false
	}
	_, ok := top["runs"]
	return ok
}

// kinds names each file's kind, for the error of a mixed merge.
func kinds(files []string, data [][]byte) string {
	out := make([]string, len(files))
	for i, f := range files {
		k := "json report"
		if isSARIF(data[i]) {
			k = "SARIF"
		}
		out[i] = f + " (" + k + ")"
	}
	return strings.Join(out, ", ")
}

// sarifErrors counts the unsuppressed results of level error, a result without a level taking
// its rule's default, as SARIF says.
func sarifErrors(b []byte) (int, error) {
	log, err := sarif.FromBytes(b)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, run := range log.Runs {
		var rules []*sarif.ReportingDescriptor
		if run.Tool != nil && run.Tool.Driver != nil {
			rules = run.Tool.Driver.Rules
		}
		for _, r := range run.Results {
			level := r.Level
			if level == "" && r.RuleIndex >= 0 && r.RuleIndex < len(rules) && rules[r.RuleIndex].DefaultConfiguration != nil {
				level = rules[r.RuleIndex].DefaultConfiguration.Level
			}
			if level == "error" && !suppressed(r) {
				n++
			}
		}
	}
	return n, nil
}

// suppressed: a suppression counts once accepted (no status is accepted, as SARIF says).
func suppressed(r *sarif.Result) bool {
	for _, s := range r.Suppressions {
		if s != nil && (s.Status == nil || *s.Status == "accepted") {
			return true
		}
	}
	return false
}
