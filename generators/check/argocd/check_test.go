package argocd

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hue-platform/hue-gitops/generators/api/v1alpha1"
	argogen "github.com/hue-platform/hue-gitops/generators/argocd"
	"github.com/hue-platform/hue-gitops/generators/argocd/argocdtest"
	"github.com/hue-platform/hue-gitops/generators/check/checktest"
	"github.com/hue-platform/hue-gitops/generators/manifest"
	"github.com/hue-platform/hue-gitops/generators/platform"
)

// The generator's test cases.
const cases = "../../argocd/testdata"

// What the generator writes for each of its cases passes the checker.
func TestGeneratedFilesPass(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join(cases, "*", "input"))
	require.NoError(t, err)
	require.NotEmpty(t, dirs)
	for _, in := range dirs {
		dir := filepath.Dir(in)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			inv, rendered := argocdtest.LoadCase(t, dir)
			files, err := argogen.Generate(inv, rendered, argogen.Options{})
			require.NoError(t, err)
			require.Empty(t, checktest.Strings(Check(inv, files, rendered, argocdtest.OverlayExists(rendered))))
		})
	}
}

// argoConfigMaps are the identical copies of argocd-cm, one per fleet's bootstrap folder.
var argoConfigMaps = []string{
	"clusters/enterprise/argocd/bootstrap/argocd-cm.yaml",
	"clusters/school/argocd/bootstrap/argocd-cm.yaml",
	"clusters/science/argocd/bootstrap/argocd-cm.yaml",
}

func TestCheckFindings(t *testing.T) {
	const (
		entApp    = "clusters/enterprise/argocd/apps/ent-eu-1/hue-ent-eu-1.yaml"
		entProj   = "clusters/enterprise/argocd/bootstrap/appproject-hue-enterprise.yaml"
		schProj   = "clusters/school/argocd/bootstrap/appproject-hue-school.yaml"
		schAppSet = "clusters/school/argocd/apps/applicationset-hue-schools-canary.yaml"
		broadSet  = "clusters/school/argocd/apps/applicationset-hue-schools-broad.yaml"
		argoCM    = "clusters/enterprise/argocd/bootstrap/argocd-cm.yaml"
	)
	type env struct {
		inv      *platform.Inventory
		files    map[string][]byte
		rendered map[string][]manifest.Object
		exists   func(string) bool
	}
	tests := []struct {
		name   string
		mutate func(t *testing.T, e *env)
		// want is one finding's source, field and a message substring.
		source, field, message string
	}{
		{
			name: "app path does not exist",
			mutate: func(_ *testing.T, e *env) {
				prev := e.exists
				e.exists = func(p string) bool { return p != "overlays/ent-eu-1" && prev(p) }
			},
			source: entApp, field: "spec.source.path", message: "path overlays/ent-eu-1 does not exist",
		},
		{
			name: "rendered kind not whitelisted",
			mutate: func(_ *testing.T, e *env) {
				e.rendered["ent-eu-1"] = append(e.rendered["ent-eu-1"], argocdtest.Object("batch/v1", "CronJob", "report", "hue", "overlays/ent-eu-1/cron.yaml"))
			},
			source: entProj, field: "spec.namespaceResourceWhitelist", message: "CronJob.batch of CronJob/hue/report (overlays/ent-eu-1/cron.yaml)",
		},
		{
			// Argo CD's own reading of a project: a blacklist entry denies a whitelisted kind.
			name: "rendered kind blacklisted",
			mutate: func(t *testing.T, e *env) {
				edit(t, e.files, entProj, "  orphanedResources:\n", "  namespaceResourceBlacklist:\n  - group: apps\n    kind: Deployment\n  orphanedResources:\n")
			},
			source: entProj, field: "spec.namespaceResourceWhitelist", message: "Deployment.apps of Deployment/hue/",
		},
		{
			// A "!" destination denies what another destination allows, as in Argo CD.
			name: "destination denied by a deny pattern",
			mutate: func(t *testing.T, e *env) {
				edit(t, e.files, entProj, "  - name: ent-us-1\n    namespace: hue\n", "  - name: ent-us-1\n    namespace: hue\n  - name: '!ent-us-1'\n    namespace: hue\n")
			},
			source: "clusters/enterprise/argocd/apps/ent-us-1/hue-ent-us-1.yaml", field: "spec.destination", message: "is not permitted by project hue-enterprise",
		},
		{
			name: "rendered namespace not a destination",
			mutate: func(_ *testing.T, e *env) {
				e.rendered["ent-us-1"] = append(e.rendered["ent-us-1"], argocdtest.Object("v1", "Service", "api", "billing", ""))
			},
			source: entProj, field: "spec.destinations", message: `namespace "billing" of Service/billing/api`,
		},
		{
			name: "hand-edited wildcard project",
			mutate: func(t *testing.T, e *env) {
				edit(t, e.files, entProj, "namespace: hue\n", "namespace: '*'\n")
			},
			source: entProj, field: "spec.destinations[0].namespace", message: `wildcard or pattern "*"`,
		},
		{
			name: "wildcard kind",
			mutate: func(t *testing.T, e *env) {
				edit(t, e.files, entProj, "kind: ClusterRole\n", "kind: '*'\n")
			},
			source: entProj, field: "spec.clusterResourceWhitelist[1].kind", message: "wildcard",
		},
		{
			name: "school Application deploys into restricted",
			mutate: func(_ *testing.T, e *env) {
				e.files["clusters/school/argocd/apps/hue-sneaky.yaml"] = []byte(argogen.Header + `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: hue-sneaky
  namespace: argocd
spec:
  project: hue-school
  source:
    repoURL: https://git.hue.dev/platform/hue-gitops.git
    path: overlays/school-birch
  destination:
    server: https://school-birch.k8s.hue.dev
    namespace: restricted
  syncPolicy:
    automated: {prune: true, selfHeal: true}
`)
			},
			source: "clusters/school/argocd/apps/hue-sneaky.yaml", field: "spec.destination.namespace", message: `never deploy into namespace "restricted"`,
		},
		{
			name: "school project reaching restricted",
			mutate: func(t *testing.T, e *env) {
				edit(t, e.files, schProj, "namespace: hue-maple\n", "namespace: restricted\n")
			},
			source: schProj, field: "spec.destinations[0].namespace", message: `never reach namespace "restricted"`,
		},
		{
			name: "school project reaching another school's namespace",
			mutate: func(t *testing.T, e *env) {
				edit(t, e.files, schProj, "namespace: hue\n    server: https://school-birch", "namespace: hue-oak\n    server: https://school-birch")
			},
			source: schProj, field: "spec.destinations[2].namespace", message: "hosted on cluster district-north, not on school-birch",
		},
		{
			name: "finalizer without a path",
			mutate: func(t *testing.T, e *env) {
				edit(t, e.files, entApp, "- resources-finalizer.argocd.argoproj.io/foreground\n", "- resources-finalizer.argocd.argoproj.io\n")
			},
			source: entApp, field: "metadata.finalizers[0]", message: "the API server warns",
		},
		{
			name: "HPA replicas fought over",
			mutate: func(t *testing.T, e *env) {
				edit(t, e.files, entApp, "    name: api\n", "    name: web\n")
			},
			source: entApp, field: "spec.ignoreDifferences", message: "Deployment api is scaled by an HPA",
		},
		{
			name: "unknown field in an Application",
			mutate: func(t *testing.T, e *env) {
				edit(t, e.files, entApp, "      selfHeal: true\n", "      selfHeal: true\n      selfheal: true\n")
			},
			source: entApp, field: "spec.syncPolicy.automated.selfheal", message: "unknown field of Application",
		},
		{
			name: "overlay deployed twice",
			mutate: func(t *testing.T, e *env) {
				dup := strings.Replace(string(e.files[entApp]), "name: hue-ent-eu-1\n", "name: hue-ent-eu-1-copy\n", 1)
				e.files["clusters/enterprise/argocd/apps/ent-eu-1/copy.yaml"] = []byte(dup)
			},
			source: entApp, field: "spec.source.path", message: "overlays/ent-eu-1 is deployed twice: also by Application hue-ent-eu-1-copy",
		},
		{
			name:   "overlay deployed by nothing",
			mutate: func(_ *testing.T, e *env) { delete(e.files, entApp) },
			source: "clusters/enterprise/ent-eu-1.yaml", field: "spec.destination", message: "overlays/ent-eu-1 is deployed by no Application",
		},
		{
			name: "RollingSync turns self-heal off",
			mutate: func(t *testing.T, e *env) {
				edit(t, e.files, schAppSet, "  syncPolicy:\n    applicationsSync", "  strategy:\n    type: RollingSync\n    rollingSync:\n      steps:\n      - matchExpressions: [{key: hue.dev/ring, operator: In, values: [canary]}]\n  syncPolicy:\n    applicationsSync")
			},
			source: schAppSet, field: "spec.strategy", message: "turns automated sync off",
		},
		{
			name: "later ring skips the promotion",
			mutate: func(t *testing.T, e *env) {
				edit(t, e.files, broadSet, "targetRevision: rings/school/broad\n", "targetRevision: main\n")
			},
			source: broadSet, field: "spec.generators[0].list.elements[0] spec.template.spec.source.targetRevision", message: "would skip the rings before it",
		},
		{
			name:   "school in another ring's ApplicationSet",
			mutate: func(_ *testing.T, e *env) { e.inv.Cluster("school-pilot").Spec.Ring = "broad" },
			source: schAppSet, field: "spec.generators[0].list.elements[0]", message: `ring "canary", but cluster school-pilot is in ring "broad"`,
		},
		{
			name:   "school in no ring",
			mutate: func(_ *testing.T, e *env) { delete(e.files, schAppSet) },
			source: "clusters/school/school-pilot.yaml", field: "spec.destination", message: "overlays/school-pilot is deployed by no Application",
		},
		{
			name: "element names an unknown cluster",
			mutate: func(t *testing.T, e *env) {
				edit(t, e.files, schAppSet, "name: school-pilot\n", "name: school-ghost\n")
			},
			source: schAppSet, field: "spec.generators[0].list.elements[0] spec.template.spec.source.path", message: "overlays/school-ghost is the overlay of no cluster",
		},
		{
			name: "argocd-cm excludes a rendered kind",
			mutate: func(t *testing.T, e *env) {
				for _, p := range argoConfigMaps {
					edit(t, e.files, p, "      - Endpoints\n    - apiGroups", "      - Endpoints\n      - EndpointSlice\n    - apiGroups")
				}
			},
			source: argoCM, field: "data", message: "EndpointSlice/hue/db-external (overlays/ent-eu-1): EndpointSlice.discovery.k8s.io is excluded from Argo CD's watch",
		},
		{
			name: "no argocd-cm: the stock exclusions apply",
			mutate: func(_ *testing.T, e *env) {
				for _, p := range argoConfigMaps {
					delete(e.files, p)
				}
			},
			source: argoCM, field: "", message: "no argocd-cm in the Argo CD files, and under Argo CD's stock settings EndpointSlice/hue/db-external",
		},
		{
			name: "rendered object outside the resource selector",
			mutate: func(_ *testing.T, e *env) {
				for i, o := range e.rendered["ent-eu-1"] {
					if o.GetKind() == "EndpointSlice" {
						u := o.DeepCopy()
						u.SetLabels(map[string]string{"kubernetes.io/service-name": "db-external"})
						e.rendered["ent-eu-1"][i] = manifest.Object{Unstructured: u, Source: o.Source}
					}
				}
			},
			source: argoCM, field: "data", message: "do not match resource.selectors",
		},
		{
			name: "appset may delete Applications",
			mutate: func(t *testing.T, e *env) {
				edit(t, e.files, schAppSet, "applicationsSync: create-update\n", "applicationsSync: sync\n")
			},
			source: schAppSet, field: "spec.syncPolicy", message: "never delete Applications",
		},
		{
			name: "Application sent to another school's cluster",
			mutate: func(t *testing.T, e *env) {
				edit(t, e.files, schAppSet, "server: https://school-pilot.k8s.hue.dev\n", "server: https://school-birch.k8s.hue.dev\n")
			},
			source: schAppSet, field: "spec.generators[0].list.elements[0] spec.template.spec.destination", message: "(that is cluster school-birch)",
		},
		{
			name: "root deploys a project",
			mutate: func(t *testing.T, e *env) {
				e.files["clusters/science/argocd/apps/sci-lab-1/project.yaml"] = e.files["clusters/science/argocd/bootstrap/appproject-hue-science.yaml"]
			},
			source: "clusters/enterprise/argocd/bootstrap/appproject-hue-bootstrap.yaml", field: "spec.namespaceResourceWhitelist", message: "AppProject hue-science",
		},
		{
			name: "bootstrap projects differ",
			mutate: func(t *testing.T, e *env) {
				edit(t, e.files, "clusters/school/argocd/bootstrap/appproject-hue-bootstrap.yaml", "kind: ApplicationSet\n", "kind: AppProject\n")
			},
			source: "clusters/school/argocd/bootstrap/appproject-hue-bootstrap.yaml", field: "metadata.name", message: "defined, differently",
		},
		{
			name: "unexpected kind",
			mutate: func(_ *testing.T, e *env) {
				e.files["clusters/science/argocd/apps/cm.yaml"] = []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")
			},
			source: "clusters/science/argocd/apps/cm.yaml", field: "metadata.name", message: "the only ConfigMap of the Argo CD files is argocd/argocd-cm",
		},
		{
			name: "unexpected kind",
			mutate: func(_ *testing.T, e *env) {
				e.files["clusters/science/argocd/apps/secret.yaml"] = []byte("apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\n")
			},
			source: "clusters/science/argocd/apps/secret.yaml", field: "apiVersion", message: `must be "argoproj.io/v1alpha1"`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inv, rendered := argocdtest.LoadCase(t, filepath.Join(cases, "fleets"))
			files, err := argogen.Generate(inv, rendered, argogen.Options{})
			require.NoError(t, err)
			e := &env{inv: inv, files: files, rendered: rendered, exists: argocdtest.OverlayExists(rendered)}
			tc.mutate(t, e)
			findings := Check(e.inv, e.files, e.rendered, e.exists)
			require.NotEmpty(t, findings)
			for _, f := range findings {
				require.Equal(t, argogen.CheckID, f.Check)
				if f.Source == tc.source && f.Field == tc.field && strings.Contains(f.Message, tc.message) {
					return
				}
			}
			t.Fatalf("no finding at %s %s containing %q; got:\n%s", tc.source, tc.field, tc.message, strings.Join(checktest.Strings(findings), "\n"))
		})
	}
}

// edit replaces the first occurrence of old in a file, failing if it is absent.
func edit(t *testing.T, files map[string][]byte, file, old, new string) {
	t.Helper()
	s := string(files[file])
	require.Contains(t, s, old, "%s", file)
	files[file] = []byte(strings.Replace(s, old, new, 1))
}

// The checker finds a cluster deployed by name when an Application names its registered
// server instead, however spelled: the registry makes them one destination.
func TestCheckerResolvesNamesThroughTheRegistry(t *testing.T) {
	inv := &platform.Inventory{
		Clusters: []*v1alpha1.HueCluster{{ObjectMeta: metav1.ObjectMeta{Name: "school-a"}, Spec: v1alpha1.HueClusterSpec{Destination: &v1alpha1.Destination{Name: "school-a"}}}},
		Registry: map[string]string{"school-a": "https://school-a.hue.internal:6443"},
	}
	c := &checker{inv: inv}
	for _, server := range []string{"https://school-a.hue.internal:6443", "https://SCHOOL-A.hue.internal:6443/"} {
		require.NotNil(t, c.clusterByDest(server, ""), server)
	}
	require.NotNil(t, c.clusterByDest("", "school-a"))
	require.Nil(t, c.clusterByDest("https://school-b.hue.internal:6443", ""))
}
