package policy

import (
	"errors"
	"fmt"
	"os"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/hue-platform/hue-gitops/generators/check"
)

// WaiverCheck is the check id of findings about the waivers file itself.
const WaiverCheck = "waiver"

const dateLayout = "2006-01-02"

// Waiver excuses the findings of one policy on the objects it selects, until it expires.
// Selector fields that are "" or "*" match anything; kind or name must be set.
type Waiver struct {
	Policy    string `json:"policy"`
	Cluster   string `json:"cluster,omitempty"`
	Namespace string `json:"namespace,omitempty"`
	Kind      string `json:"kind,omitempty"`
	Name      string `json:"name,omitempty"`
	Owner     string `json:"owner"`
	Reason    string `json:"reason"`
	// Expires is the last day (YYYY-MM-DD, UTC) the waiver applies.
	Expires string `json:"expires"`

	// File and Index locate the waiver for findings about it.
	File    string `json:"-"`
	Index   int    `json:"-"`
	expires time.Time
}

func (w Waiver) field(f string) string { return fmt.Sprintf("[%d].%s", w.Index, f) }

// Waivers is the reviewed waivers file.
type Waivers []Waiver

// LoadWaivers reads and validates a waivers file: a YAML list of waivers. All problems are
// reported together, each naming the file and the field. A missing file means no waivers.
func LoadWaivers(path string) (Waivers, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return ParseWaivers(path, data)
}

// ParseWaivers decodes and validates waivers strictly (unknown fields are errors).
func ParseWaivers(file string, data []byte) (Waivers, error) {
	var ws Waivers
	if err := yaml.UnmarshalStrict(data, &ws); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	var errs []error
	bad := func(w Waiver, f, msg string) { errs = append(errs, fmt.Errorf("%s: %s: %s", file, w.field(f), msg)) }
	for i := range ws {
		w := &ws[i]
		w.File, w.Index = file, i
		for f, v := range map[string]string{"policy": w.Policy, "owner": w.Owner, "reason": w.Reason, "expires": w.Expires} {
			if v == "" {
				bad(*w, f, "required")
			}
		}
		if wildcard(w.Kind) && wildcard(w.Name) {
			bad(*w, "kind", "kind or name must be set (a waiver never covers a whole policy)")
		}
		if w.Expires != "" {
			t, err := time.Parse(dateLayout, w.Expires)
			if err != nil {
				bad(*w, "expires", fmt.Sprintf("%q is not a date (YYYY-MM-DD)", w.Expires))
			}
			w.expires = t
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return ws, nil
}

func wildcard(s string) bool { return s == "" || s == "*" }

func matches(sel, v string) bool { return wildcard(sel) || sel == v }

// Expired reports whether the waiver no longer applies on the day of now (UTC).
func (w Waiver) Expired(now time.Time) bool {
	return now.UTC().Format(dateLayout) > w.expires.Format(dateLayout)
}

// Covers reports whether the waiver selects the finding.
func (w Waiver) Covers(f check.Finding) bool {
	return w.Policy == f.Check && matches(w.Cluster, f.Cluster) && matches(w.Namespace, f.Namespace) &&
		matches(w.Kind, f.Kind) && matches(w.Name, f.Name)
}

// Apply removes the findings that valid waivers cover. An expired waiver covers nothing and is
// an error finding itself; so is a waiver that covers no finding: one naming a cluster when that
// cluster was checked, one for any cluster only when the whole fleet was (wholeFleet), so
// checking a few clusters or one rendered file stays quiet about waivers it cannot judge.
// now is passed in so that tests are deterministic. waived are the findings removed, each with
// the waiver that excused it.
func (ws Waivers) Apply(findings []check.Finding, clusters []string, wholeFleet bool, now time.Time) (out, waived []check.Finding) {
	used := make([]bool, len(ws))
	out = make([]check.Finding, 0, len(findings))
	for _, f := range findings {
		by := -1
		for i, w := range ws {
			if !w.Expired(now) && w.Covers(f) {
				used[i] = true
				if by < 0 {
					by = i
				}
			}
		}
		if by < 0 {
			out = append(out, f)
			continue
		}
		w := ws[by]
		f.Waiver = fmt.Sprintf("%s[%d]: owner %s, until %s: %s", w.File, w.Index, w.Owner, w.Expires, w.Reason)
		waived = append(waived, f)
	}
	check.Sort(waived)
	for i, w := range ws {
		in := wildcard(w.Cluster) && wholeFleet
		for _, c := range clusters {
			in = in || (!wildcard(w.Cluster) && w.Cluster == c)
		}
		switch {
		case w.Expired(now):
			out = append(out, w.finding(w.field("expires"), fmt.Sprintf("waiver of %s for %s expired on %s (owner %s); fix the findings or renew it in review", w.Policy, w.selector(), w.Expires, w.Owner)))
		case in && !used[i]:
			out = append(out, w.finding(w.field("policy"), fmt.Sprintf("waiver of %s for %s matches no finding; remove it", w.Policy, w.selector())))
		}
	}
	check.Sort(out)
	return out, waived
}

func (w Waiver) selector() string {
	s := func(v string) string {
		if wildcard(v) {
			return "*"
		}
		return v
	}
	return fmt.Sprintf("cluster %s, %s/%s/%s", s(w.Cluster), s(w.Kind), s(w.Namespace), s(w.Name))
}

func (w Waiver) finding(field, msg string) check.Finding {
	c := w.Cluster
	if wildcard(c) {
		c = ""
	}
	return check.Finding{Check: WaiverCheck, Severity: check.SeverityError, Cluster: c,
		Kind: "Waiver", Name: w.Policy, Field: field, Message: msg, Source: w.File}
}

// ValidateWaivers reports waivers naming a policy the engine does not have.
func (e *Engine) ValidateWaivers(ws Waivers) error {
	var errs []error
	for _, w := range ws {
		if _, ok := e.meta[w.Policy]; !ok {
			errs = append(errs, fmt.Errorf("%s: %s: unknown policy %q", w.File, w.field("policy"), w.Policy))
		}
	}
	return errors.Join(errs...)
}
