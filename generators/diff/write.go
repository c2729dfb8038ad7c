package diff

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Formats lists what Write can produce.
var Formats = []string{"text", "markdown", "json", "affected", "removed"}

// CommentBudget keeps a Markdown report under the size of a pull-request comment (GitHub takes
// 65,536 characters): diffs past it are summarised, object by object, and what still does not
// fit is counted; the guard and the summary tables are always whole.
const CommentBudget = 60000

// listed is how many cluster names a summary line spells out before counting the rest.
const listed = 8

// Write renders the report: text (a summary and unified diffs), markdown (a PR comment),
// json, affected (the clusters in the head a change reaches, one a line, for a CI matrix) or
// removed (the clusters the change removes, one a line).
func Write(w io.Writer, format string, r *Report) error {
	switch format {
	case "text":
		_, err := io.WriteString(w, text(r))
		return err
	case "markdown":
		_, err := io.WriteString(w, markdown(r, CommentBudget))
		return err
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			*Report
			Affected []string `json:"affected"`
			Removed  []string `json:"removed"`
		}{r, r.Affected(), nonNil(r.Removed())})
	case "affected", "removed":
		list := r.Affected()
		if format == "removed" {
			list = r.Removed()
		}
		for _, n := range list {
			if _, err := fmt.Fprintln(w, n); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("unknown diff format %q (one of %s)", format, strings.Join(Formats, ", "))
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func summary(c Cluster) string {
	a, ch, rm := c.Count()
	return fmt.Sprintf("%d added, %d changed, %d removed", a, ch, rm)
}

func reaches(f File) string {
	var parts []string
	if len(f.Clusters) > 0 {
		parts = append(parts, "changes the Application of "+names(f.Clusters))
	}
	if f.Governs > 0 {
		parts = append(parts, fmt.Sprintf("governs %d cluster(s)", f.Governs))
	}
	if len(parts) == 0 {
		return ""
	}
	return ": " + strings.Join(parts, "; ")
}

// names lists cluster names, the first few spelled out and the rest counted.
func names(list []string) string {
	if len(list) <= listed {
		return strings.Join(list, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(list[:listed], ", "), len(list)-listed)
}

// where says which fleet and ring a group is in.
func where(g Group) string {
	s := g.Fleet
	if s == "" {
		s = "no fleet"
	}
	if g.Ring != "" {
		s += ", ring " + g.Ring
	}
	return s
}

// groupLine is one line of summary for a group of clusters with the same change.
func groupLine(g Group, c Cluster) string {
	if len(g.Clusters) == 1 {
		return fmt.Sprintf("cluster %s %s (%s): %s", c.Name, c.Change, c.Overlay, summary(c))
	}
	return fmt.Sprintf("%d clusters (%s) %s, the same change: %s; %s", len(g.Clusters), where(g), g.Change, summary(c), names(g.Clusters))
}

// byName finds the report's cluster of each name.
func byName(r *Report) map[string]Cluster {
	m := make(map[string]Cluster, len(r.Clusters))
	for _, c := range r.Clusters {
		m[c.Name] = c
	}
	return m
}

func guardText(b *strings.Builder, v *Verdict) {
	if v == nil {
		return
	}
	tripped := v.Tripped()
	switch {
	case len(tripped) > 0:
		fmt.Fprintf(b, "GUARD: %d limit(s) exceeded (%s), limits from %s\n", len(tripped), strings.Join(tripped, ", "), v.Source)
	default:
		fmt.Fprintf(b, "guard: within the limits of %s\n", v.Source)
	}
	for _, d := range v.Deletions {
		b.WriteString("  " + deletionLine(d) + "\n")
	}
	for _, j := range v.Limits {
		if j.Over {
			fmt.Fprintf(b, "  limit %s: %s\n", j.Name, judgedLine(j))
		}
	}
	for _, c := range v.Counts {
		fmt.Fprintf(b, "  %s: %s\n", countWhere(c), countValues(c))
	}
}

func deletionLine(d Deletion) string {
	var s strings.Builder
	if d.Removed {
		fmt.Fprintf(&s, "cluster %s is REMOVED", d.Cluster)
	} else {
		fmt.Fprintf(&s, "cluster %s", d.Cluster)
	}
	if d.Application != "" {
		fmt.Fprintf(&s, "; Application %s goes: %s", d.Application, d.Consequence)
	}
	switch {
	case len(d.Objects) > 0 && d.Removed:
		fmt.Fprintf(&s, "; a cascading deletion takes %s with it", strings.Join(d.Objects, ", "))
	case len(d.Objects) > 0:
		fmt.Fprintf(&s, "; Argo CD prunes %s (automated sync, prune)", strings.Join(d.Objects, ", "))
	}
	return s.String()
}

func judgedLine(j Judged) string {
	unit := ""
	if j.Measure == MeasureProductionAtOnce {
		unit = "%"
	}
	s := fmt.Sprintf("%s %d%s, at most %d%s", j.Measure, j.Value, unit, j.Max, unit)
	if scope := strings.Trim(strings.Join([]string{j.Fleet, j.Ring, j.Environment}, " "), " "); scope != "" {
		s += " (" + scope + ")"
	}
	if j.Overridden {
		return s + ": overridden by --override " + j.Name
	}
	return s + ": needs --override " + j.Name + " (label guard-override/" + j.Name + ")"
}

func countWhere(c Count) string {
	parts := []string{"fleet " + c.Fleet}
	if c.Ring != "" {
		parts = append(parts, "ring "+c.Ring)
	}
	if c.Environment != "" {
		parts = append(parts, c.Environment)
	}
	return fmt.Sprintf("%s (%d cluster(s))", strings.Join(parts, ", "), c.Clusters)
}

func countValues(c Count) string {
	var parts []string
	for _, m := range Measures {
		if n, ok := c.Values[m]; ok {
			if m == MeasureProductionAtOnce {
				parts = append(parts, fmt.Sprintf("%d changed at once", n))
				continue
			}
			parts = append(parts, fmt.Sprintf("%s %d", m, n))
		}
	}
	return strings.Join(parts, ", ")
}

func totals(r *Report) string {
	return fmt.Sprintf("%d cluster(s) affected, %d removed, %d rendered differently (%d distinct change(s)), %d unchanged, %d Argo CD file(s) changed",
		len(r.Affected()), len(r.Removed()), len(r.Clusters), len(r.Groups), r.Unchanged, len(r.ArgoCD))
}

func text(r *Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "base %s, head %s\n", r.Base, r.Head)
	for _, p := range r.Stale {
		fmt.Fprintf(&b, "STALE %s: not what the specs generate; run hue generate and commit\n", p)
	}
	guardText(&b, r.Guard)
	clusters := byName(r)
	for _, g := range r.Groups {
		c := clusters[g.Clusters[0]]
		b.WriteString(groupLine(g, c) + "\n")
		if c.BaseError != "" {
			fmt.Fprintf(&b, "  the base did not build: %s\n", c.BaseError)
		}
	}
	for _, f := range r.ArgoCD {
		fmt.Fprintf(&b, "argocd %s %s (fleet %s)%s\n", f.Path, f.Change, f.Fleet, reaches(f))
	}
	b.WriteString(totals(r) + "\n")
	for _, g := range r.Groups {
		c := clusters[g.Clusters[0]]
		if c.Change == Removed {
			b.WriteString(removedOutline(c))
			continue
		}
		for _, o := range c.Objects {
			b.WriteString(o.Diff)
		}
	}
	for _, f := range r.ArgoCD {
		b.WriteString(f.Diff)
	}
	return b.String()
}

func markdown(r *Report, budget int) string {
	var b strings.Builder
	if len(r.Stale) > 0 {
		fmt.Fprintf(&b, "### :no_entry: %d generated file(s) are not what the specs generate\n\nRun `hue generate` (or `make generate`) and commit; until then this diff is not the change the specs make.\n\n", len(r.Stale))
		for i, p := range r.Stale {
			if i == 2*listed {
				fmt.Fprintf(&b, "- and %d more\n", len(r.Stale)-i)
				break
			}
			fmt.Fprintf(&b, "- %s\n", code(p))
		}
		b.WriteString("\n")
	}
	if r.Empty() {
		fmt.Fprintf(&b, "## Hue rendered diff: no cluster changes\n\nBase %s, head %s: all %d clusters render the same.\n", code(r.Base), code(r.Head), r.Unchanged)
		guardMarkdown(&b, r.Guard)
		return b.String()
	}
	fmt.Fprintf(&b, "## Hue rendered diff: %d cluster(s) affected\n\nBase %s, head %s; %s.\n\n", len(r.Affected()), code(r.Base), code(r.Head), totals(r))
	guardMarkdown(&b, r.Guard)
	clusters := byName(r)
	if len(r.Groups) > 0 {
		b.WriteString("| clusters | fleet, ring | change | added | changed | removed |\n|---|---|---|---|---|---|\n")
		for _, g := range r.Groups {
			c := clusters[g.Clusters[0]]
			a, ch, rm := c.Count()
			change := string(c.Change)
			if c.BaseError != "" {
				change += " (the base did not build)"
			}
			who := c.Name
			if len(g.Clusters) > 1 {
				who = fmt.Sprintf("%d: %s", len(g.Clusters), names(g.Clusters))
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %d | %d | %d |\n", who, where(g), change, a, ch, rm)
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
	type section struct{ full, short string }
	var sections []section
	add := func(title, diff, outline string) {
		sections = append(sections, section{
			full:  fmt.Sprintf("<details><summary>%s</summary>\n\n%s\n%s%s\n\n</details>\n\n", title, fence(diff)+"diff", diff, fence(diff)),
			short: fmt.Sprintf("<details><summary>%s (diff too long for a comment: run `hue diff`)</summary>\n\n%s\n</details>\n\n", title, outline),
		})
	}
	for _, g := range r.Groups {
		c := clusters[g.Clusters[0]]
		var d, outline strings.Builder
		for _, o := range c.Objects {
			plus, minus := lineCounts(o.Diff)
			fmt.Fprintf(&outline, "- %s %s (+%d -%d)\n", o.Ref(), o.Change, plus, minus)
		}
		if c.Change == Removed {
			d.WriteString(removedOutline(c))
		} else {
			for _, o := range c.Objects {
				d.WriteString(o.Diff)
			}
		}
		title := fmt.Sprintf("%s: %s", c.Name, summary(c))
		if len(g.Clusters) > 1 {
			title = fmt.Sprintf("%d clusters (%s), shown for %s: %s", len(g.Clusters), where(g), c.Name, summary(c))
		}
		add(title, d.String(), outline.String())
	}
	for _, f := range r.ArgoCD {
		plus, minus := lineCounts(f.Diff)
		add("Argo CD "+f.Path, f.Diff, fmt.Sprintf("- %s (+%d -%d)\n", f.Change, plus, minus))
	}
	// Each section's outline is kept back for it, so a long diff never hides the ones after it.
	reserved := 0
	for _, s := range sections {
		reserved += len(s.short)
	}
	left := 0
	for _, s := range sections {
		reserved -= len(s.short)
		switch {
		case b.Len()+len(s.full)+reserved <= budget:
			b.WriteString(s.full)
		case b.Len()+len(s.short)+reserved <= budget || b.Len()+len(s.short) <= budget:
			b.WriteString(s.short)
		default:
			left++
		}
	}
	if left > 0 {
		fmt.Fprintf(&b, "%d diff section(s) left out to fit a comment; run `hue diff` for all of them.\n", left)
	}
	return b.String()
}

func guardMarkdown(b *strings.Builder, v *Verdict) {
	if v == nil || (len(v.Deletions) == 0 && !anyOver(v)) {
		return
	}
	if tripped := v.Tripped(); len(tripped) > 0 {
		fmt.Fprintf(b, "### :no_entry: Blast-radius guard: %d limit(s) exceeded\n\n", len(tripped))
	} else {
		b.WriteString("### Blast-radius guard: within the limits\n\n")
	}
	fmt.Fprintf(b, "Limits from %s.\n\n", code(v.Source))
	for _, d := range v.Deletions {
		b.WriteString("- " + deletionLine(d) + "\n")
	}
	if len(v.Deletions) > 0 {
		b.WriteString("\n")
	}
	for _, j := range v.Limits {
		if j.Over {
			fmt.Fprintf(b, "- limit %s: %s\n", code(j.Name), judgedLine(j))
		}
	}
	b.WriteString("\n| fleet, ring, environment | measures |\n|---|---|\n")
	for _, c := range v.Counts {
		fmt.Fprintf(b, "| %s | %s |\n", countWhere(c), countValues(c))
	}
	b.WriteString("\n")
}

func anyOver(v *Verdict) bool {
	for _, j := range v.Limits {
		if j.Over {
			return true
		}
	}
	return false
}

// removedOutline lists what a removed cluster ran, one object a line: the YAML of a whole
// cluster, all of it removed, tells a reviewer less than its inventory.
func removedOutline(c Cluster) string {
	var b strings.Builder
	fmt.Fprintf(&b, "--- a/%s (removed: %d objects)\n+++ /dev/null\n", c.Overlay, len(c.Objects))
	for _, o := range c.Objects {
		fmt.Fprintf(&b, "-%s\n", o.Ref())
	}
	return b.String()
}

// lineCounts counts the added and removed lines of a unified diff.
func lineCounts(d string) (plus, minus int) {
	for _, l := range strings.Split(d, "\n") {
		switch {
		case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"):
		case strings.HasPrefix(l, "+"):
			plus++
		case strings.HasPrefix(l, "-"):
			minus++
		}
	}
	return
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
