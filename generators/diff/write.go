package diff

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Formats lists what Write can produce.
var Formats = []string{"text", "markdown", "json", "affected"}

// CommentBudget keeps a Markdown report under the size of a pull-request comment (GitHub takes
// 65,536 characters); diffs past it are left out with a note, the summary table never is.
const CommentBudget = 60000

// Write renders the report: text (a summary and unified diffs), markdown (a PR comment),
// json, or affected (the affected cluster names, one a line, for a CI matrix).
func Write(w io.Writer, format string, r *Report) error {
	switch format {
	case "text":
		return writeText(w, r)
	case "markdown":
		_, err := io.WriteString(w, markdown(r, CommentBudget))
		return err
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			*Report
			Affected []string `json:"affected"`
		}{r, r.Affected()})
	case "affected":
		for _, n := range r.Affected() {
			if _, err := fmt.Fprintln(w, n); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("unknown diff format %q (one of %s)", format, strings.Join(Formats, ", "))
}

func summary(c Cluster) string {
	a, ch, rm := c.Count()
	return fmt.Sprintf("%d added, %d changed, %d removed", a, ch, rm)
}

func reaches(f File) string {
	if len(f.Clusters) == 0 {
		return ""
	}
	return ": reaches " + strings.Join(f.Clusters, ", ")
}

func writeText(w io.Writer, r *Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "base %s, head %s\n", r.Base, r.Head)
	for _, c := range r.Clusters {
		fmt.Fprintf(&b, "cluster %s %s (%s): %s\n", c.Name, c.Change, c.Overlay, summary(c))
		if c.BaseError != "" {
			fmt.Fprintf(&b, "  the base did not build: %s\n", c.BaseError)
		}
	}
	for _, f := range r.ArgoCD {
		fmt.Fprintf(&b, "argocd %s %s (fleet %s)%s\n", f.Path, f.Change, f.Fleet, reaches(f))
	}
	fmt.Fprintf(&b, "%d cluster(s) affected, %d rendered differently, %d unchanged, %d Argo CD file(s) changed\n",
		len(r.Affected()), len(r.Clusters), r.Unchanged, len(r.ArgoCD))
	for _, c := range r.Clusters {
		for _, o := range c.Objects {
			b.WriteString(o.Diff)
		}
	}
	for _, f := range r.ArgoCD {
		b.WriteString(f.Diff)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func markdown(r *Report, budget int) string {
	var b strings.Builder
	if r.Empty() {
		fmt.Fprintf(&b, "## Hue rendered diff: no cluster changes\n\nBase %s, head %s: all %d clusters render the same.\n", code(r.Base), code(r.Head), r.Unchanged)
		return b.String()
	}
	fmt.Fprintf(&b, "## Hue rendered diff: %d cluster(s) affected\n\nBase %s, head %s; %d rendered differently, %d unchanged.\n\n", len(r.Affected()), code(r.Base), code(r.Head), len(r.Clusters), r.Unchanged)
	if len(r.Clusters) > 0 {
		b.WriteString("| cluster | change | added | changed | removed |\n|---|---|---|---|---|\n")
		for _, c := range r.Clusters {
			a, ch, rm := c.Count()
			change := string(c.Change)
			if c.BaseError != "" {
				change += " (the base did not build)"
			}
			fmt.Fprintf(&b, "| %s | %s | %d | %d | %d |\n", c.Name, change, a, ch, rm)
		}
		b.WriteString("\n")
	}
	if len(r.ArgoCD) > 0 {
		b.WriteString("Argo CD definitions:\n\n")
		for _, f := range r.ArgoCD {
			fmt.Fprintf(&b, "- %s %s (fleet %s)%s\n", code(f.Path), f.Change, f.Fleet, reaches(f))
		}
		b.WriteString("\n")
	}
	left := 0
	section := func(title, diff string) {
		block := fmt.Sprintf("<details><summary>%s</summary>\n\n%s\n%s%s\n\n</details>\n\n", title, fence(diff)+"diff", diff, fence(diff))
		if left > 0 || b.Len()+len(block) > budget {
			left++
			return
		}
		b.WriteString(block)
	}
	for _, c := range r.Clusters {
		var d strings.Builder
		for _, o := range c.Objects {
			d.WriteString(o.Diff)
		}
		section(fmt.Sprintf("%s: %s", c.Name, summary(c)), d.String())
	}
	for _, f := range r.ArgoCD {
		section(fmt.Sprintf("Argo CD %s", f.Path), f.Diff)
	}
	if left > 0 {
		fmt.Fprintf(&b, "%d diff section(s) left out to fit a comment; run `hue diff` for all of them.\n", left)
	}
	return b.String()
}

// fence is a code fence longer than any run of backticks in s.
func fence(s string) string {
	longest, run := 0, 0
	for _, r := range s {
		if r != '`' {
			run = 0
			continue
		}
		run++
		longest = max(longest, run)
	}
	return strings.Repeat("`", max(3, longest+1))
}

func code(s string) string { return "`" + s + "`" }
