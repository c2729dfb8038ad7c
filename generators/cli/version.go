package cli

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// builtWith are the modules whose versions decide what hue renders and judges.
var builtWith = []string{
	"sigs.k8s.io/kustomize/api",
	"sigs.k8s.io/kustomize/kyaml",
	"github.com/open-policy-agent/opa",
	"github.com/argoproj/argo-cd/v3",
	"k8s.io/api",
	"k8s.io/apimachinery",
}

// versionText is hue's version and the versions of the modules it was built with, from the
// build information the go command records in the binary.
func versionText() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "hue (no build information)\n"
	}
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "hue %s", v)
	if rev != "" {
		fmt.Fprintf(&b, " (%.12s%s)", rev, dirty)
	}
	fmt.Fprintf(&b, " %s\n", info.GoVersion)
	deps := map[string]string{}
	for _, d := range info.Deps {
		if d.Replace != nil {
			deps[d.Path] = d.Replace.Version
		} else {
			deps[d.Path] = d.Version
		}
	}
	for _, m := range builtWith {
		if ver, ok := deps[m]; ok {
			fmt.Fprintf(&b, "  %s %s\n", m, ver)
		}
	}
	return b.String()
}

func newVersion() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print hue's version and the kustomize, OPA, Argo CD and Kubernetes modules it was built with",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprint(cmd.OutOrStdout(), versionText())
			return err
		},
	}
}
