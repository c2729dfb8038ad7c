// Package checktest holds the assertions the tests of the checks make about their findings. It is
// for tests only: no check imports it, and nothing but a _test.go file should.
package checktest

import (
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hue-platform/hue-gitops/generators/check"
)

// Want is one expected finding: what tells it apart from the other findings of its test. Every
// field is asserted, the empty ones too, so a finding without a name or field is stated as such
// and not merely left unchecked.
type Want struct {
	Severity check.Severity
	Kind     string
	Name     string
	Field    string
	// Msg are substrings the message must contain, at least one. Messages are written for
	// people and change wording, so a test pins the part it is about rather than all of it.
	Msg []string
}

// Error wants a finding of error severity.
func Error(kind, name, field string, msg ...string) Want {
	return Want{Severity: check.SeverityError, Kind: kind, Name: name, Field: field, Msg: msg}
}

// Warning wants a finding of warning severity.
func Warning(kind, name, field string, msg ...string) Want {
	return Want{Severity: check.SeverityWarning, Kind: kind, Name: name, Field: field, Msg: msg}
}

// Common is what every finding of a test carries, stated once. Every field is asserted, the empty
// ones too: a check that names no related file is held to naming none.
type Common struct {
	// Check is the check id.
	Check   string
	Cluster string
	Source  string
	Related string
}

// AssertFindings asserts that got are the wanted findings, in this order, each carrying common.
// It reports whether they are.
func AssertFindings(t testing.TB, got []check.Finding, common Common, wants []Want) bool {
	t.Helper()
	// On a count mismatch the pairs below would mean nothing; the list of what was found, in
	// its order, is what the want list has to be fixed against.
	if !assert.Len(t, got, len(wants), "findings:\n%s", lines(got)) {
		return false
	}
	ok := true
	for i, w := range wants {
		f := got[i]
		// Both sides are cut down to the asserted fields, so one comparison shows every field
		// that differs.
		want := check.Finding{
			Check: common.Check, Cluster: common.Cluster, Source: common.Source, Related: common.Related,
			Severity: w.Severity, Kind: w.Kind, Name: w.Name, Field: w.Field,
		}
		have := check.Finding{
			Check: f.Check, Cluster: f.Cluster, Source: f.Source, Related: f.Related,
			Severity: f.Severity, Kind: f.Kind, Name: f.Name, Field: f.Field,
		}
		ok = assert.Equal(t, want, have, "finding %d: %v", i, f) && ok
		// A want with no substring would accept any message, which is not what a test means.
		ok = assert.NotEmpty(t, w.Msg, "want %d states no part of the message", i) && ok
		for _, m := range w.Msg {
			ok = assert.Contains(t, f.Message, m, "finding %d: %v", i, f) && ok
		}
	}
	return ok
}

// Strings are the findings as printed, sorted, so that tests compare and show them whatever order
// a check found them in.
func Strings(fs []check.Finding) []string {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		out = append(out, f.String())
	}
	sort.Strings(out)
	return out
}

// lines prints findings one a line, in their order.
func lines(fs []check.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("  " + f.String() + "\n")
	}
	return b.String()
}
