package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	argo "github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	"github.com/spf13/cobra"

	"github.com/hue-platform/hue-gitops/generators/argocd"
	"github.com/hue-platform/hue-gitops/generators/pipeline"
)

func newPromote() *cobra.Command {
	var root, fleet, ring, apps string
	c := &cobra.Command{
		Use:   "promote --ring RING --applications FILE",
		Short: "Say which commit a ring's branch may move to: the one its previous ring is Synced and Healthy at",
		Long: `promote reads the live Applications of the management Argo CD (the JSON of
kubectl get applications -n argocd -o json; - for stdin) and, when every Application of the ring
before RING is Synced and Healthy at one revision, prints that revision on stdout (exit 0): push it
to the ring's branch, for example git push origin REV:refs/heads/rings/school/early. Otherwise it
names what holds the ring back and exits 1. It writes nothing itself.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var r io.Reader = cmd.InOrStdin()
			if apps != "-" {
				f, err := os.Open(apps)
				if err != nil {
					return badInput(err)
				}
				defer f.Close()
				r = f
			}
			var list argo.ApplicationList
			if err := json.NewDecoder(r).Decode(&list); err != nil {
				return badInput(fmt.Errorf("%s: not an ApplicationList: %w", apps, err))
			}
			specs, err := pipeline.Load(root, true)
			if err != nil {
				return badInput(err)
			}
			p, err := argocd.Promote(specs.Inventory, fleet, ring, list.Items)
			if err != nil {
				return badInput(err)
			}
			if len(p.Blocked) > 0 {
				return findings("ring %s waits for ring %s:\n  %s", p.Ring, p.From, strings.Join(p.Blocked, "\n  "))
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "ring %s is Synced and Healthy at %s: move %s there\n", p.From, p.Revision, p.Branch)
			fmt.Fprintln(cmd.OutOrStdout(), p.Revision)
			return nil
		},
	}
	c.Flags().StringVar(&root, "root", ".", "repository root")
	c.Flags().StringVar(&fleet, "fleet", "school", "fleet whose ring to promote")
	c.Flags().StringVar(&ring, "ring", "", "ring to promote (any but the first)")
	c.Flags().StringVar(&apps, "applications", "-", "live Applications, as kubectl get applications -o json prints them")
	_ = c.MarkFlagRequired("ring")
	return c
}
