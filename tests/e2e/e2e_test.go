//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	argo "github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/tools/cache"
	"sigs.k8s.io/yaml"

	"github.com/hue-platform/hue-gitops/generators/api/v1alpha1"
	"github.com/hue-platform/hue-gitops/generators/argocd"
	"github.com/hue-platform/hue-gitops/generators/layout"
	"github.com/hue-platform/hue-gitops/generators/pipeline"
	"github.com/hue-platform/hue-gitops/generators/platform"
)

var (
	repoRoot, _ = filepath.Abs("../..")
	appsGVR     = schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "applications"}
	deployGVR   = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
)

const netnsEnv = "HUE_E2E_NETNS"

// TestMain runs the suite again inside a network namespace of its own, with /etc/hosts there
// resolving every destination host to its API server's loopback address.
func TestMain(m *testing.M) {
	if os.Getenv(netnsEnv) != "" {
		os.Exit(m.Run())
	}
	specs, err := pipeline.Load(repoRoot, true)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ns := fmt.Sprintf("hue-e2e-%d", os.Getpid())
	hosts := "127.0.0.1 localhost\n"
	for i, c := range sortedClusters(specs.Inventory) {
		if h := destHost(c); h != "" {
			hosts += clusterIP(i) + " " + h + "\n"
		}
	}
	etc := filepath.Join("/etc/netns", ns)
	steps := [][]string{{"ip", "netns", "add", ns}, {"ip", "-n", ns, "link", "set", "lo", "up"}}
	cleanup := func() {
		_ = exec.Command("ip", "netns", "del", ns).Run()
		_ = os.RemoveAll(etc)
	}
	for _, s := range steps {
		if out, err := exec.Command(s[0], s[1:]...).CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n%s(the e2e suite needs root and iproute2 to make its network namespace)\n", strings.Join(s, " "), err, out)
			cleanup()
			os.Exit(2)
		}
	}
	if err := os.MkdirAll(etc, 0o755); err == nil {
		err = os.WriteFile(filepath.Join(etc, "hosts"), []byte(hosts), 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		cleanup()
		os.Exit(2)
	}
	self, _ := os.Executable()
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns, self}, os.Args[1:]...)...)
	cmd.Env = append(os.Environ(), netnsEnv+"="+ns)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err = cmd.Run()
	cleanup()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			os.Exit(ee.ExitCode())
		}
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	os.Exit(0)
}

func sortedClusters(inv *platform.Inventory) []*v1alpha1.HueCluster {
	cs := slices.Clone(inv.Clusters)
	slices.SortFunc(cs, func(a, b *v1alpha1.HueCluster) int { return strings.Compare(a.Name, b.Name) })
	return cs
}

// e2e-only settings of the management Argo CD: fast pickup, and workloads Healthy without a
// kubelet (nothing here runs pods).
func e2eArgoSettings() map[string]string {
	healthy := "hs = {}\nhs.status = \"Healthy\"\nhs.message = \"e2e: no kubelet or controller-manager runs here\"\nreturn hs\n"
	data := map[string]string{"timeout.reconciliation": "10s", "timeout.reconciliation.jitter": "0s"}
	for _, k := range []string{"apps_Deployment", "apps_StatefulSet", "apps_DaemonSet", "batch_Job", "autoscaling_HorizontalPodAutoscaler",
		"PersistentVolumeClaim", "networking.k8s.io_Ingress", "Service", "policy_PodDisruptionBudget"} {
		data["resource.customizations.health."+k] = healthy
	}
	return data
}

type fixture struct {
	t        *testing.T
	s        *stack
	work     string // the repository's working copy
	remote   string // the bare repository Argo CD reads, over file://
	hue      string
	mgmt     *apiServer
	clusters map[string]*apiServer
	inv      *platform.Inventory
}

func TestDelivery(t *testing.T) {
	bin := os.Getenv("HUE_E2E_BIN")
	hue := os.Getenv("HUE")
	kustomize := os.Getenv("KUSTOMIZE")
	if bin == "" || hue == "" || kustomize == "" {
		t.Fatal("HUE_E2E_BIN (etcd, kube-apiserver, argocd), HUE and KUSTOMIZE must be set: run make e2e")
	}
	dir := t.TempDir()
	if keep := os.Getenv("HUE_E2E_KEEP"); keep != "" {
		dir = keep
		must(t, os.MkdirAll(dir, 0o755))
	}
	s := &stack{t: t, dir: dir, bin: bin}
	t.Cleanup(func() {
		s.stop()
		if t.Failed() {
			t.Logf("process logs are in %s", filepath.Join(dir, "logs"))
		}
	})
	f := &fixture{t: t, s: s, hue: hue, clusters: map[string]*apiServer{}}
	f.repository(kustomize)

	// The control planes.
	s.start("etcd", nil, filepath.Join(bin, "etcd"), "--data-dir", filepath.Join(dir, "etcd"),
		"--listen-client-urls", "http://"+etcdClient, "--advertise-client-urls", "http://"+etcdClient,
		"--listen-peer-urls", "http://"+etcdPeer, "--initial-advertise-peer-urls", "http://"+etcdPeer,
		"--initial-cluster", "default=http://"+etcdPeer, "--quota-backend-bytes", "4294967296", "--log-level", "warn")
	saKey, saPub := serviceAccountKeys(t, dir)
	tokens := filepath.Join(dir, "tokens.csv")
	must(t, os.WriteFile(tokens, []byte(adminToken+",admin,admin,system:masters\n"), 0o600))
	f.mgmt = s.startAPIServer("management", mgmtIP, saKey, saPub, tokens)
	for i, c := range sortedClusters(f.inv) {
		f.clusters[c.Name] = s.startAPIServer(c.Name, clusterIP(i), saKey, saPub, tokens)
	}
	f.mgmt.waitReady(t)
	for _, a := range f.clusters {
		a.waitReady(t)
	}

	steps := []struct {
		name string
		run  func(*testing.T)
	}{
		{"every rendered object is accepted by its API server, Pod Security included", f.dryRun},
		{"Argo CD starts", func(t *testing.T) { f.argoCD(t, kustomize) }},
		{"the bootstrap applies without a warning and brings every Application up Synced", f.bootstrap},
		{"every object of every golden render is live in its cluster", f.liveObjects},
		{"a deleted Deployment heals itself in an enterprise and in a school cluster", f.selfHeal},
		{"replicas an HPA sets are left alone", f.hpaReplicas},
		{"a change reaches the school rings in order and prunes what it removed", f.rings},
		{"a commit with an invalid object fails its sync with the API server's message", f.invalidCommit},
	}
	stopGC := f.garbageCollector()
	defer stopGC()
	// Each step builds on the one before: stop at the first that fails.
	for _, st := range steps {
		if !t.Run(st.name, st.run) {
			return
		}
	}
}

// repository makes the working copy (the repository's files, generated for a file:// remote)
// and the bare repository Argo CD reads, with every ring branch at the first commit.
func (f *fixture) repository(kustomize string) {
	t := f.t
	f.work = filepath.Join(f.s.dir, "work")
	f.remote = filepath.Join(f.s.dir, "remote.git")
	list := run(t, repoRoot, nil, "git", "ls-files", "-co", "--exclude-standard", "-z")
	for _, p := range strings.Split(strings.TrimRight(list, "\x00"), "\x00") {
		if p == "" || strings.HasPrefix(p, "out/") || strings.HasPrefix(p, "bin/") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(repoRoot, p))
		if os.IsNotExist(err) {
			continue // deleted in the working tree
		}
		must(t, err)
		dst := filepath.Join(f.work, p)
		must(t, os.MkdirAll(filepath.Dir(dst), 0o755))
		must(t, os.WriteFile(dst, data, 0o644))
	}
	f.generate()
	git := func(args ...string) string { return run(t, f.work, gitEnv(), "git", args...) }
	git("init", "-q", "-b", "main")
	git("add", "-A")
	git("commit", "-q", "-m", "hue as committed")
	specs, err := pipeline.Load(f.work, true)
	must(t, err)
	f.inv = specs.Inventory
	fleet := f.inv.Fleets[v1alpha1.FleetSchool]
	for _, ring := range fleet.Spec.Rings[1:] {
		git("branch", argocd.RingBranch(v1alpha1.FleetSchool, ring))
	}
	run(t, f.s.dir, gitEnv(), "git", "clone", "-q", "--bare", f.work, f.remote)
	git("remote", "add", "origin", f.remote)
}

func (f *fixture) repoURL() string { return "file://" + f.remote }

func (f *fixture) generate() {
	run(f.t, f.work, nil, f.hue, "generate", "--no-progress", "--repo-url", f.repoURL())
}

func gitEnv() []string {
	return []string{"GIT_AUTHOR_NAME=hue e2e", "GIT_AUTHOR_EMAIL=e2e@hue.dev", "GIT_COMMITTER_NAME=hue e2e", "GIT_COMMITTER_EMAIL=e2e@hue.dev"}
}

// commit commits every change of the working copy and pushes main; it returns the commit.
func (f *fixture) commit(msg string) string {
	git := func(args ...string) string { return run(f.t, f.work, gitEnv(), "git", args...) }
	git("add", "-A")
	git("commit", "-q", "-m", msg)
	git("push", "-q", "origin", "main")
	return strings.TrimSpace(git("rev-parse", "HEAD"))
}

func (f *fixture) golden(cluster string) []*unstructured.Unstructured {
	data, err := os.ReadFile(filepath.Join(f.work, "tests", "golden", cluster+".yaml"))
	must(f.t, err)
	return decode(f.t, data)
}

// dryRun creates each cluster's Namespaces for real (so Pod Security admission applies their
// levels) and then every other object of its golden render as a server-side dry run.
func (f *fixture) dryRun(t *testing.T) {
	var mu sync.Mutex
	var problems []string
	var wg sync.WaitGroup
	for name, a := range f.clusters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			objs := f.golden(name)
			report := func(format string, args ...any) {
				mu.Lock()
				problems = append(problems, name+": "+fmt.Sprintf(format, args...))
				mu.Unlock()
			}
			for _, real := range []bool{true, false} {
				for _, o := range objs {
					if (o.GetKind() == "Namespace") != real {
						continue
					}
					if err := a.apply(o, "hue-e2e-judge", !real); err != nil {
						report("%s %s/%s rejected: %v", o.GetKind(), o.GetNamespace(), o.GetName(), err)
					}
					for _, w := range a.warn.take() {
						report("%s %s/%s: warning: %s", o.GetKind(), o.GetNamespace(), o.GetName(), w)
					}
				}
			}
		}()
	}
	wg.Wait()
	slices.Sort(problems)
	if len(problems) > 0 {
		t.Fatalf("%d rejection(s) or warning(s):\n%s", len(problems), strings.Join(problems, "\n"))
	}
}

// argoCD installs Argo CD's CRDs and stock configuration into the management cluster, the
// cluster Secrets of every destination, and starts its components.
func (f *fixture) argoCD(t *testing.T, kustomize string) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/argoproj/argo-cd/v3").Output()
	must(t, err)
	argoDir := strings.TrimSpace(string(out))
	m := f.mgmt
	apply := func(u *unstructured.Unstructured, manager string) {
		t.Helper()
		if err := m.apply(u, manager, false); err != nil {
			t.Fatalf("install %s %s: %v", u.GetKind(), u.GetName(), err)
		}
	}
	ns := &unstructured.Unstructured{}
	ns.SetAPIVersion("v1")
	ns.SetKind("Namespace")
	ns.SetName(argocd.ArgoNamespace)
	apply(ns, "hue-e2e-install")
	for _, crd := range []string{"application-crd.yaml", "applicationset-crd.yaml", "appproject-crd.yaml"} {
		data, err := os.ReadFile(filepath.Join(argoDir, "manifests", "crds", crd))
		must(t, err)
		for _, u := range decode(t, data) {
			apply(u, "hue-e2e-install")
		}
	}
	configs, err := filepath.Glob(filepath.Join(argoDir, "manifests", "base", "config", "argocd-*.yaml"))
	must(t, err)
	for _, p := range configs {
		data, err := os.ReadFile(p)
		must(t, err)
		for _, u := range decode(t, data) {
			u.SetNamespace(argocd.ArgoNamespace)
			apply(u, "hue-e2e-install")
		}
	}
	// Fast pickup and health overrides, under a field manager of their own (under the install's
	// manager, server-side apply would drop every key of the install this object lacks).
	e2eCM := &corev1.ConfigMap{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Name: argocd.ArgoConfigMap, Namespace: argocd.ArgoNamespace}, Data: e2eArgoSettings()}
	apply(toUnstructured(t, e2eCM), "hue-e2e-settings")
	for i, c := range sortedClusters(f.inv) {
		server := "https://" + clusterIP(i) + ":" + apiPort
		name := c.Name
		if d := c.Spec.Destination; d != nil && d.Server != "" {
			server = d.Server
		} else if d != nil && d.Name != "" {
			name = d.Name
		}
		cfg, _ := json.Marshal(map[string]any{"bearerToken": adminToken, "tlsClientConfig": map[string]any{"insecure": true}})
		sec := &corev1.Secret{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
			ObjectMeta: metav1.ObjectMeta{Name: "cluster-" + c.Name, Namespace: argocd.ArgoNamespace,
				Labels: map[string]string{"argocd.argoproj.io/secret-type": "cluster"}},
			StringData: map[string]string{"name": name, "server": server, "config": string(cfg)}}
		apply(toUnstructured(t, sec), "hue-e2e-install")
	}
	// The CRDs must serve before the controllers start.
	eventually(t, time.Minute, time.Second, "Argo CD CRDs served", func() (bool, string) {
		m.mapper.Reset()
		_, err := m.dyn.Resource(appsGVR).Namespace(argocd.ArgoNamespace).List(context.Background(), metav1.ListOptions{})
		return err == nil, fmt.Sprint(err)
	})

	kubeconfig := filepath.Join(f.s.dir, "management.kubeconfig")
	m.kubeconfig(t, kubeconfig)
	home := filepath.Join(f.s.dir, "home")
	must(t, os.MkdirAll(home, 0o755))
	// The repo-server runs Argo CD's git-verify-wrapper.sh for every commit, as its image ships
	// it; the module cache keeps no executable bit, so it is copied out.
	tools := filepath.Join(f.s.dir, "argocd-path")
	must(t, os.MkdirAll(tools, 0o755))
	wrapper, err := os.ReadFile(filepath.Join(argoDir, "hack", "git-verify-wrapper.sh"))
	must(t, err)
	must(t, os.WriteFile(filepath.Join(tools, "git-verify-wrapper.sh"), wrapper, 0o755))
	env := func(component string) []string {
		return []string{"ARGOCD_BINARY_NAME=" + component, "ARGOCD_FAKE_IN_CLUSTER=true", "HOME=" + home,
			"PATH=" + tools + ":" + filepath.Dir(kustomize) + ":" + os.Getenv("PATH"), "ARGOCD_GPG_ENABLED=false", "KUBECONFIG=" + kubeconfig}
	}
	argoBin := filepath.Join(f.s.bin, "argocd")
	f.s.start("redis", nil, "redis-server", "--port", redisPort, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	f.s.start("argocd-repo-server", env("argocd-repo-server"), argoBin, "--disable-tls", "--client-ca-path=", "--redis", "127.0.0.1:"+redisPort,
		"--address", "127.0.0.1", "--port", repoServerPort,
		// A new commit is seen within seconds (a Git webhook does this in production).
		"--revision-cache-expiration", "5s", "--metrics-address", "127.0.0.1", "--loglevel", "warn")
	f.s.start("argocd-application-controller", env("argocd-application-controller"), argoBin, "--kubeconfig", kubeconfig,
		"--namespace", argocd.ArgoNamespace, "--repo-server", "127.0.0.1:"+repoServerPort, "--repo-server-plaintext",
		"--redis", "127.0.0.1:"+redisPort, "--app-resync", "10", "--self-heal-backoff-timeout-seconds", "1", "--loglevel", "warn")
	f.s.start("argocd-applicationset-controller", env("argocd-applicationset-controller"), argoBin, "--kubeconfig", kubeconfig,
		"--namespace", argocd.ArgoNamespace, "--argocd-repo-server", "127.0.0.1:"+repoServerPort, "--repo-server-plaintext",
		"--metrics-addr", "127.0.0.1:8086", "--probe-addr", "127.0.0.1:8085", "--loglevel", "warn")
}

func toUnstructured(t *testing.T, obj any) *unstructured.Unstructured {
	t.Helper()
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	must(t, err)
	u := &unstructured.Unstructured{Object: m}
	unstructured.RemoveNestedField(u.Object, "metadata", "creationTimestamp")
	return u
}

func (f *fixture) apps() []argo.Application {
	list, err := f.mgmt.dyn.Resource(appsGVR).Namespace(argocd.ArgoNamespace).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		return nil
	}
	out := make([]argo.Application, 0, len(list.Items))
	for _, u := range list.Items {
		var a argo.Application
		if runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &a) == nil {
			out = append(out, a)
		}
	}
	return out
}

func appLine(a argo.Application) string {
	msg := ""
	if op := a.Status.OperationState; op != nil {
		msg = string(op.Phase) + ": " + op.Message
	}
	var conds []string
	for _, c := range a.Status.Conditions {
		conds = append(conds, c.Type+": "+c.Message)
	}
	return fmt.Sprintf("%s sync=%s health=%s rev=%.8s op=%q conditions=%q", a.Name, a.Status.Sync.Status, a.Status.Health.Status, a.Status.Sync.Revision, msg, conds)
}

// wantApps is every Application the bootstrap must bring up: one per cluster, and the roots.
func (f *fixture) wantApps() []string {
	var want []string
	for _, c := range f.inv.Clusters {
		want = append(want, argocd.AppName(c.Name))
		if c.Spec.Fleet != v1alpha1.FleetSchool {
			want = append(want, "root-"+c.Name)
		}
	}
	if f.inv.Fleets[v1alpha1.FleetSchool] != nil {
		want = append(want, "root-"+v1alpha1.FleetSchool)
	}
	slices.Sort(want)
	return want
}

// badConditions are the Application conditions the issue found and the generator now prevents.
var badConditions = []string{argo.ApplicationConditionExcludedResourceWarning, argo.ApplicationConditionOrphanedResourceWarning,
	argo.ApplicationConditionComparisonError, argo.ApplicationConditionSyncError, argo.ApplicationConditionInvalidSpecError}

func (f *fixture) bootstrap(t *testing.T) {
	var files []string
	for _, fleet := range v1alpha1.Fleets {
		p, _ := filepath.Glob(filepath.Join(f.work, layout.BootstrapDir(fleet), "*.yaml"))
		files = append(files, p...)
	}
	if len(files) == 0 {
		t.Fatal("no bootstrap files")
	}
	var warned []string
	for _, p := range files {
		data, err := os.ReadFile(p)
		must(t, err)
		for _, u := range decode(t, data) {
			if err := f.mgmt.apply(u, "kubectl", false); err != nil {
				t.Fatalf("kubectl apply %s: %v", p, err)
			}
			for _, w := range f.mgmt.warn.take() {
				warned = append(warned, fmt.Sprintf("%s %s: %s", u.GetKind(), u.GetName(), w))
			}
		}
	}
	if len(warned) > 0 {
		t.Errorf("the API server warned on the bootstrap:\n%s", strings.Join(warned, "\n"))
	}
	want := f.wantApps()
	eventually(t, 12*time.Minute, 3*time.Second, "every Application Synced and Healthy", func() (bool, string) {
		var lines []string
		ok := true
		seen := map[string]bool{}
		for _, a := range f.apps() {
			seen[a.Name] = true
			good := a.Status.Sync.Status == argo.SyncStatusCodeSynced && a.Status.Health.Status == "Healthy"
			for _, c := range a.Status.Conditions {
				if slices.Contains(badConditions, c.Type) {
					good = false
				}
			}
			if !good {
				ok = false
				lines = append(lines, appLine(a))
			}
		}
		for _, w := range want {
			if !seen[w] {
				ok = false
				lines = append(lines, w+": missing")
			}
		}
		return ok, strings.Join(lines, "\n")
	})
}

func (f *fixture) liveObjects(t *testing.T) {
	for _, c := range sortedClusters(f.inv) {
		a := f.clusters[c.Name]
		objs := f.golden(c.Name)
		var missing []string
		for _, o := range objs {
			ok, err := a.exists(o)
			if err != nil || !ok {
				missing = append(missing, fmt.Sprintf("%s %s/%s (%v)", o.GetKind(), o.GetNamespace(), o.GetName(), err))
			}
		}
		if len(missing) > 0 {
			t.Errorf("%s: %d of %d golden objects are not live:\n%s", c.Name, len(missing), len(objs), strings.Join(missing, "\n"))
		} else {
			t.Logf("%s: all %d live (%s)", c.Name, len(objs), countKinds(objs))
		}
	}
}

// firstDeployment is a Deployment of a cluster's golden render that no HPA scales.
func (f *fixture) firstDeployment(cluster string) *unstructured.Unstructured {
	objs := f.golden(cluster)
	scaled := map[string]bool{}
	for _, o := range objs {
		if o.GetKind() == "HorizontalPodAutoscaler" {
			name, _, _ := unstructured.NestedString(o.Object, "spec", "scaleTargetRef", "name")
			scaled[o.GetNamespace()+"/"+name] = true
		}
	}
	for _, o := range objs {
		if o.GetKind() == "Deployment" && !scaled[o.GetNamespace()+"/"+o.GetName()] {
			return o
		}
	}
	f.t.Fatalf("%s renders no Deployment", cluster)
	return nil
}

func (f *fixture) clusterOf(fleet string, ring string) *v1alpha1.HueCluster {
	for _, c := range sortedClusters(f.inv) {
		if c.Spec.Fleet == fleet && (ring == "" || c.Spec.Ring == ring) && len(c.Spec.Tenants) == 0 {
			return c
		}
	}
	f.t.Fatalf("no %s cluster in ring %q", fleet, ring)
	return nil
}

func (f *fixture) selfHeal(t *testing.T) {
	school := f.inv.Fleets[v1alpha1.FleetSchool]
	for _, c := range []*v1alpha1.HueCluster{f.clusterOf(v1alpha1.FleetEnterprise, ""), f.clusterOf(v1alpha1.FleetSchool, school.Spec.Rings[len(school.Spec.Rings)-1])} {
		a := f.clusters[c.Name]
		d := f.firstDeployment(c.Name)
		ri, err := a.resource(d)
		must(t, err)
		must(t, ri.Delete(context.Background(), d.GetName(), metav1.DeleteOptions{}))
		took := eventually(t, 30*time.Second, 250*time.Millisecond, fmt.Sprintf("%s: Deployment %s/%s back", c.Name, d.GetNamespace(), d.GetName()), func() (bool, string) {
			ok, err := a.exists(d)
			return ok, fmt.Sprint(err)
		})
		t.Logf("%s: Deployment %s/%s deleted and re-created by Argo CD in %s", c.Name, d.GetNamespace(), d.GetName(), took.Round(100*time.Millisecond))
	}
}

func (f *fixture) hpaReplicas(t *testing.T) {
	c := f.clusterOf(v1alpha1.FleetSchool, "")
	a := f.clusters[c.Name]
	var target *unstructured.Unstructured
	for _, o := range f.golden(c.Name) {
		if o.GetKind() == "HorizontalPodAutoscaler" {
			target = o
			break
		}
	}
	if target == nil {
		t.Fatalf("%s renders no HPA", c.Name)
	}
	name, _, _ := unstructured.NestedString(target.Object, "spec", "scaleTargetRef", "name")
	ns := target.GetNamespace()
	// What the HPA controller would do: scale through the scale subresource.
	const scaled = 7
	_, err := a.dyn.Resource(deployGVR).Namespace(ns).Patch(context.Background(), name, types.MergePatchType,
		[]byte(fmt.Sprintf(`{"spec":{"replicas":%d}}`, scaled)), metav1.PatchOptions{FieldManager: "kube-controller-manager"}, "scale")
	must(t, err)
	// Several reconciliations (10 s each): a self-heal would have reset the replicas by then.
	time.Sleep(35 * time.Second)
	d, err := a.get(deployGVR, ns, name)
	must(t, err)
	got, _, _ := unstructured.NestedInt64(d.Object, "spec", "replicas")
	if got != scaled {
		t.Errorf("%s: Deployment %s/%s scaled to %d by its HPA is back at %d: Argo CD fights the HPA", c.Name, ns, name, scaled, got)
	}
	for _, app := range f.apps() {
		if app.Name == argocd.AppName(c.Name) && app.Status.Sync.Status != argo.SyncStatusCodeSynced {
			t.Errorf("%s: Application %s", c.Name, appLine(app))
		}
	}
}

// garbageCollector stands in for kube-controller-manager's garbage collector, which no process
// here runs: Argo CD prunes with foreground propagation, and an object deleted so keeps the
// foregroundDeletion finalizer until the collector has deleted its dependents. Nothing here has
// dependents (no controller makes ReplicaSets or Pods), so the stand-in only drops that
// finalizer from objects being deleted, which is what the collector would do next.
func (f *fixture) garbageCollector() (stop func()) {
	done := make(chan struct{})
	var factories []dynamicinformer.DynamicSharedInformerFactory
	for name, a := range f.clusters {
		// One watch per kind the cluster's render holds, not a list of each every second: on two
		// cores, polling 15 API servers took a core from Argo CD.
		factory := dynamicinformer.NewDynamicSharedInformerFactory(a.dyn, 0)
		seen := map[schema.GroupVersionResource]bool{}
		for _, o := range f.golden(name) {
			gvk := o.GroupVersionKind()
			m, err := a.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
			if err != nil || seen[m.Resource] {
				continue
			}
			seen[m.Resource] = true
			ri := a.dyn.Resource(m.Resource)
			finish := func(obj any) {
				u, ok := obj.(*unstructured.Unstructured)
				if !ok || u.GetDeletionTimestamp() == nil || !slices.Equal(u.GetFinalizers(), []string{metav1.FinalizerDeleteDependents}) {
					return
				}
				_, _ = ri.Namespace(u.GetNamespace()).Patch(context.Background(), u.GetName(), types.MergePatchType, []byte(`{"metadata":{"finalizers":null}}`), metav1.PatchOptions{})
			}
			_, err = factory.ForResource(m.Resource).Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
				AddFunc:    finish,
				UpdateFunc: func(_, obj any) { finish(obj) },
			})
			must(f.t, err)
		}
		factory.Start(done)
		factories = append(factories, factory)
	}
	return func() {
		close(done)
		for _, factory := range factories {
			factory.Shutdown()
		}
	}
}

// editFile rewrites one file of the working copy, failing if old is absent.
func (f *fixture) editFile(rel string, re *regexp.Regexp, repl string) {
	p := filepath.Join(f.work, rel)
	data, err := os.ReadFile(p)
	must(f.t, err)
	if !re.Match(data) {
		f.t.Fatalf("%s: %s not found", rel, re)
	}
	must(f.t, os.WriteFile(p, re.ReplaceAll(data, []byte(repl)), 0o644))
}

// appAt waits until the Application of cluster is Synced and Healthy at rev.
func (f *fixture) appAt(t *testing.T, cluster, rev string, timeout time.Duration) {
	eventually(t, timeout, 2*time.Second, fmt.Sprintf("Application of %s Synced and Healthy at %.8s", cluster, rev), func() (bool, string) {
		for _, a := range f.apps() {
			if a.Name == argocd.AppName(cluster) {
				return a.Status.Sync.Status == argo.SyncStatusCodeSynced && a.Status.Health.Status == "Healthy" && a.Status.Sync.Revision == rev, appLine(a)
			}
		}
		return false, "no Application"
	})
}

func (f *fixture) deploymentLive(cluster, ns, name string) bool {
	_, err := f.clusters[cluster].get(deployGVR, ns, name)
	if err != nil && !apierrors.IsNotFound(err) {
		f.t.Fatalf("%s: get Deployment %s/%s: %v", cluster, ns, name, err)
	}
	return err == nil
}

// rings removes a service from the school fleet in a new commit: the canary ring prunes it at
// once, every later ring only once hue promote moves its branch, each after the ring before it.
func (f *fixture) rings(t *testing.T) {
	school := f.inv.Fleets[v1alpha1.FleetSchool]
	const removed = "music"
	if !slices.Contains(school.Spec.Defaults.Services, removed) {
		t.Fatalf("the school fleet does not run %s", removed)
	}
	before := strings.TrimSpace(run(t, f.work, nil, "git", "rev-parse", "HEAD"))
	f.editFile("clusters/school/fleet.yaml", regexp.MustCompile(`\b`+removed+`,\s*`), "")
	f.generate()
	rev := f.commit("school: no " + removed)
	byRing := map[string][]*v1alpha1.HueCluster{}
	for _, c := range sortedClusters(f.inv) {
		if c.Spec.Fleet == v1alpha1.FleetSchool && len(c.Spec.Tenants) == 0 {
			byRing[c.Spec.Ring] = append(byRing[c.Spec.Ring], c)
		}
	}
	for i, ring := range school.Spec.Rings {
		if i > 0 {
			// The ring still runs the previous commit, with the service.
			for _, c := range byRing[ring] {
				f.appAt(t, c.Name, before, 2*time.Minute)
				if !f.deploymentLive(c.Name, "hue", removed) {
					t.Fatalf("%s (ring %s) lost %s before its ring was promoted", c.Name, ring, removed)
				}
			}
			out, err := exec.Command(f.hue, "promote", "--root", f.work, "--ring", ring, "--applications", f.appsJSON(t)).Output()
			if err != nil {
				t.Fatalf("hue promote --ring %s: %v\n%s", ring, err, exitText(err))
			}
			if got := strings.TrimSpace(string(out)); got != rev {
				t.Fatalf("hue promote --ring %s says %q, want %s", ring, got, rev)
			}
			run(t, f.work, gitEnv(), "git", "push", "-q", "origin", rev+":refs/heads/"+argocd.RingBranch(v1alpha1.FleetSchool, ring))
		}
		for _, c := range byRing[ring] {
			f.appAt(t, c.Name, rev, 3*time.Minute)
			if f.deploymentLive(c.Name, "hue", removed) {
				t.Errorf("%s (ring %s) at %.8s still runs %s: not pruned", c.Name, ring, rev, removed)
			}
		}
		t.Logf("ring %s at %.8s", ring, rev)
	}
}

func exitText(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}

func (f *fixture) appsJSON(t *testing.T) string {
	list := argo.ApplicationList{Items: f.apps()}
	b, err := json.Marshal(list)
	must(t, err)
	p := filepath.Join(f.s.dir, fmt.Sprintf("apps-%d.json", time.Now().UnixNano()))
	must(t, os.WriteFile(p, b, 0o644))
	return p
}

// invalidCommit commits a hand edit of an overlay adding an object the API server rejects: the
// sync fails, and says why in the API server's words.
func (f *fixture) invalidCommit(t *testing.T) {
	c := f.clusterOf(v1alpha1.FleetEnterprise, "")
	overlay := layout.OverlayDir(c.Name)
	// A kind the project permits (a ConfigMap is refused by the project before the API server sees it).
	bad := map[string]any{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": map[string]any{"name": "Not_A_DNS_Name", "namespace": "hue"}}
	data, err := yaml.Marshal(bad)
	must(t, err)
	must(t, os.WriteFile(filepath.Join(f.work, overlay, "invalid.yaml"), data, 0o644))
	f.editFile(overlay+"/kustomization.yaml", regexp.MustCompile(`(?m)^resources:\n`), "resources:\n- invalid.yaml\n")
	rev := f.commit("a hand edit the API server rejects")
	eventually(t, 3*time.Minute, 2*time.Second, "the sync of "+c.Name+" fails with the API server's message", func() (bool, string) {
		for _, a := range f.apps() {
			if a.Name != argocd.AppName(c.Name) {
				continue
			}
			op := a.Status.OperationState
			if op == nil || op.SyncResult == nil || op.SyncResult.Revision != rev {
				return false, appLine(a)
			}
			for _, r := range op.SyncResult.Resources {
				if r.Name == "Not_A_DNS_Name" && strings.Contains(r.Message, "metadata.name: Invalid value") {
					return true, ""
				}
			}
			return strings.Contains(op.Message, "metadata.name: Invalid value"), appLine(a)
		}
		return false, "no Application"
	})
}
