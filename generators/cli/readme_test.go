package cli

import (
	"bytes"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/stretchr/testify/require"
)

// README's command block ("## The hue command") names every subcommand and every flag hue has,
// and nothing it lacks.
func TestREADMECommandsMatchHelp(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	section := string(readme)[strings.Index(string(readme), "## The hue command"):]
	block := section[strings.Index(section, "```\n")+4:]
	block = block[:strings.Index(block, "```")]

	// Lines of one command: it starts with "hue <name>", continuation lines are indented.
	documented := map[string]map[string]bool{}
	var current string
	flag := regexp.MustCompile(`(?:^|[\s\[|])(--[a-z][a-z-]*|-[a-z])\b`)
	for _, line := range strings.Split(block, "\n") {
		if strings.HasPrefix(line, "hue ") {
			words := strings.Fields(line)[1:]
			var path []string
			for _, w := range words {
				if !regexp.MustCompile(`^[a-z]+$`).MatchString(w) {
					break
				}
				path = append(path, w)
			}
			current = strings.Join(path, " ")
			if documented[current] == nil {
				documented[current] = map[string]bool{}
			}
		}
		if current == "" {
			continue
		}
		// The description follows the synopsis after three spaces or more and starts with a word;
		// only the synopsis names the command's flags ("(or hue --version)" is the root's).
		synopsis := regexp.MustCompile(`\s{3,}[a-z][^\[\]]*$`).ReplaceAllString(line, "")
		synopsis = regexp.MustCompile(`\(or hue [^)]*\)`).ReplaceAllString(synopsis, "")
		for _, m := range flag.FindAllStringSubmatch(synopsis, -1) {
			documented[current][m[1]] = true
		}
	}

	root := newRoot(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
	var leaves []*cobra.Command
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		// A command with subcommands is documented through them.
		if c.Runnable() && c != root && !c.HasSubCommands() && c.Name() != "help" && c.Name() != "completion" {
			leaves = append(leaves, c)
		}
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(root)
	var names []string
	for _, c := range leaves {
		name := strings.TrimPrefix(c.CommandPath(), "hue ")
		names = append(names, name)
		doc, ok := documented[name]
		if !assert(t, ok, "README lists no `hue %s`", name) {
			continue
		}
		has := map[string]bool{}
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if f.Hidden || f.Name == "help" {
				return
			}
			has["--"+f.Name] = true
			if f.Shorthand != "" {
				has["-"+f.Shorthand] = true
			}
			if !doc["--"+f.Name] && !(f.Shorthand != "" && doc["-"+f.Shorthand]) && !documentedElsewhere(string(readme), f.Name) {
				t.Errorf("hue %s --%s is not in README's command block", name, f.Name)
			}
		})
		for fl := range doc {
			if !has[fl] {
				t.Errorf("README's `hue %s` names %s, which hue %s does not have", name, fl, name)
			}
		}
	}
	for name := range documented {
		if !slices.Contains(names, name) {
			t.Errorf("README lists `hue %s`, which is no command of hue", name)
		}
	}
	root.InitDefaultVersionFlag()
	require.NotNil(t, root.Flags().Lookup("version"), "README says hue --version")
	require.Contains(t, block, "(or hue --version)")
}

// Flags every rendering command has are described once in prose, not on each command's line.
func documentedElsewhere(readme, name string) bool {
	return name == "no-progress" && strings.Contains(readme, "`--no-progress`")
}

func assert(t *testing.T, ok bool, format string, args ...any) bool {
	t.Helper()
	if !ok {
		t.Errorf(format, args...)
	}
	return ok
}
