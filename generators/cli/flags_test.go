package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// A folder named by a flag that does not exist fails at once, exit 2, naming the flag.
func TestMissingFoldersFailBeforeAnyWork(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"check", "--root", "/nonexistent"}, "--root /nonexistent: not a folder"},
		{[]string{"render", "--root", "/nonexistent"}, "--root /nonexistent: not a folder"},
		{[]string{"diff", "--root", repoRoot, "--base-dir", "/nonexistent"}, "--base-dir /nonexistent: not a folder"},
		{[]string{"diff", "--root", repoRoot, "-o", "/nonexistent/diff.md"}, "-o /nonexistent/diff.md: the folder /nonexistent does not exist"},
		{[]string{"check", "--root", repoRoot, "-o", "/nonexistent/check.json"}, "-o /nonexistent/check.json: the folder /nonexistent does not exist"},
	} {
		var out bytes.Buffer
		code := Main(tc.args, strings.NewReader(""), &out, &out)
		require.Equal(t, 2, code, "%v: %s", tc.args, out.String())
		require.Contains(t, out.String(), tc.want, tc.args)
	}
}
