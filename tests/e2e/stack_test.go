//go:build e2e

// Package e2e proves the delivery with the real judges: one kube-apiserver per destination
// cluster (and one for the management cluster) on one etcd, and a real Argo CD (repo-server,
// application controller, ApplicationSet controller, redis) syncing the generated bootstrap from
// a Git repository served over file://. Nothing here is a mock. The whole stack runs in a network
// namespace of its own (the controller's metrics listener binds 0.0.0.0:8082), where the
// destination host names resolve to loopback addresses.
//
// Without kubelet and kube-controller-manager no workload ever becomes available, so the suite
// tells Argo CD (argocd-cm health overrides, e2e only) that workload kinds are Healthy; every
// other part of Argo CD's judgement (sync, prune, self-heal, diffing, ApplicationSets) is real.
package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/hue-platform/hue-gitops/generators/api/v1alpha1"
)

// Ports of the stack inside its network namespace, below the ephemeral range.
const (
	etcdClient     = "127.0.0.1:2379"
	etcdPeer       = "127.0.0.1:2380"
	redisPort      = "6379"
	repoServerPort = "8081"
	apiPort        = "6443"
	mgmtIP         = "127.0.2.1"
	adminToken     = "hue-e2e-admin-token"
)

// clusterIP is the loopback address of the i-th destination's API server.
func clusterIP(i int) string { return fmt.Sprintf("127.0.1.%d", i+1) }

// destHost is the host a cluster's destination server names, or "" for a destination by name.
func destHost(c *v1alpha1.HueCluster) string {
	if c.Spec.Destination == nil || c.Spec.Destination.Server == "" {
		return ""
	}
	u, err := url.Parse(c.Spec.Destination.Server)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// proc is one process of the stack, its output in a log file.
type proc struct {
	name string
	cmd  *exec.Cmd
	log  string
}

type stack struct {
	t     *testing.T
	dir   string
	bin   string
	procs []*proc
	mu    sync.Mutex
}

func (s *stack) start(name string, env []string, bin string, args ...string) *proc {
	s.t.Helper()
	logPath := filepath.Join(s.dir, "logs", name+".log")
	if err := os.MkdirAll(filepath.Dir(logPath), 0o755); err != nil {
		s.t.Fatal(err)
	}
	f, err := os.Create(logPath)
	if err != nil {
		s.t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("start %s: %v", name, err)
	}
	p := &proc{name: name, cmd: cmd, log: logPath}
	s.mu.Lock()
	s.procs = append(s.procs, p)
	s.mu.Unlock()
	go func() { _ = cmd.Wait(); f.Close() }()
	return p
}

func (s *stack) stop() {
	for i := len(s.procs) - 1; i >= 0; i-- {
		p := s.procs[i]
		if p.cmd.Process != nil {
			_ = p.cmd.Process.Kill()
		}
	}
}

// tail is the end of a process's log, for failure messages.
func tail(p *proc, n int) string {
	b, _ := os.ReadFile(p.log)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// eventually polls cond until it holds or timeout passes; cond says what it saw last.
func eventually(t *testing.T, timeout, every time.Duration, what string, cond func() (bool, string)) time.Duration {
	t.Helper()
	start := time.Now()
	last := ""
	for {
		ok, seen := cond()
		if ok {
			return time.Since(start)
		}
		last = seen
		if time.Since(start) > timeout {
			t.Fatalf("%s: not within %s; last seen:\n%s", what, timeout, last)
		}
		time.Sleep(every)
	}
}

// warnings collects what an API server warns about, per request.
type warnings struct {
	mu   sync.Mutex
	list []string
}

func (w *warnings) HandleWarningHeader(code int, agent, text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.list = append(w.list, text)
}

func (w *warnings) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.list
	w.list = nil
	return out
}

// apiServer is one kube-apiserver with the clients the suite uses.
type apiServer struct {
	name   string
	ip     string
	proc   *proc
	cfg    *rest.Config
	dyn    dynamic.Interface
	mapper meta.ResettableRESTMapper
	warn   *warnings
}

func (s *stack) startAPIServer(name, ip, saKey, saPub, tokens string) *apiServer {
	certs := filepath.Join(s.dir, "apiservers", name)
	if err := os.MkdirAll(certs, 0o755); err != nil {
		s.t.Fatal(err)
	}
	p := s.start("kube-apiserver-"+name, nil, filepath.Join(s.bin, "kube-apiserver"),
		"--etcd-servers=http://"+etcdClient,
		// Every cluster renders the same namespaces: one etcd, a prefix each.
		"--etcd-prefix=/"+name,
		"--bind-address="+ip, "--advertise-address="+ip, "--secure-port="+apiPort,
		"--cert-dir="+certs,
		"--token-auth-file="+tokens,
		"--authorization-mode=RBAC",
		"--service-account-issuer=https://kubernetes.default.svc",
		"--service-account-key-file="+saPub,
		"--service-account-signing-key-file="+saKey,
		"--service-cluster-ip-range=10.96.0.0/16",
		// collect-proxy's host namespaces are validated against this.
		"--allow-privileged=true",
		"--profiling=false",
		"--watch-cache=false",
		"--enable-priority-and-fairness=false",
		"--endpoint-reconciler-type=none",
	)
	w := &warnings{}
	cfg := &rest.Config{
		Host: "https://" + ip + ":" + apiPort, BearerToken: adminToken,
		TLSClientConfig: rest.TLSClientConfig{Insecure: true},
		QPS:             200, Burst: 400, WarningHandler: w, Timeout: 30 * time.Second,
	}
	return &apiServer{name: name, ip: ip, proc: p, cfg: cfg, warn: w}
}

func (a *apiServer) waitReady(t *testing.T) {
	t.Helper()
	cs, err := discovery.NewDiscoveryClientForConfig(a.cfg)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 4*time.Minute, 500*time.Millisecond, "kube-apiserver "+a.name+" ready", func() (bool, string) {
		body, err := cs.RESTClient().Get().AbsPath("/readyz").DoRaw(context.Background())
		if err != nil {
			return false, fmt.Sprintf("%v %s\n%s", err, body, tail(a.proc, 5))
		}
		return true, ""
	})
	a.dyn = dynamic.NewForConfigOrDie(a.cfg)
	a.mapper = restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(cs))
	a.warn.take() // start-up noise
}

// decode reads every object of a multi-document YAML stream.
func decode(t *testing.T, data []byte) []*unstructured.Unstructured {
	t.Helper()
	var out []*unstructured.Unstructured
	d := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	for {
		u := &unstructured.Unstructured{}
		if err := d.Decode(&u.Object); err != nil {
			if errors.Is(err, io.EOF) {
				return out
			}
			t.Fatalf("decode: %v", err)
		}
		if len(u.Object) > 0 {
			out = append(out, u)
		}
	}
}

func (a *apiServer) resource(u *unstructured.Unstructured) (dynamic.ResourceInterface, error) {
	gvk := u.GroupVersionKind()
	m, err := a.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	// A kind just installed (a CRD) reaches discovery a little later.
	for deadline := time.Now().Add(30 * time.Second); err != nil && meta.IsNoMatchError(err) && time.Now().Before(deadline); {
		time.Sleep(500 * time.Millisecond)
		a.mapper.Reset()
		m, err = a.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	}
	if err != nil {
		return nil, err
	}
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		return a.dyn.Resource(m.Resource).Namespace(u.GetNamespace()), nil
	}
	return a.dyn.Resource(m.Resource), nil
}

// apply is a server-side apply of one object, as kubectl apply --server-side does.
func (a *apiServer) apply(u *unstructured.Unstructured, manager string, dryRun bool) error {
	ri, err := a.resource(u)
	if err != nil {
		return err
	}
	opts := metav1.ApplyOptions{FieldManager: manager, Force: true}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	_, err = ri.Apply(context.Background(), u.GetName(), u, opts)
	return err
}

func (a *apiServer) get(gvr schema.GroupVersionResource, ns, name string) (*unstructured.Unstructured, error) {
	if ns == "" {
		return a.dyn.Resource(gvr).Get(context.Background(), name, metav1.GetOptions{})
	}
	return a.dyn.Resource(gvr).Namespace(ns).Get(context.Background(), name, metav1.GetOptions{})
}

// exists tells whether the object u names is live.
func (a *apiServer) exists(u *unstructured.Unstructured) (bool, error) {
	ri, err := a.resource(u)
	if err != nil {
		return false, err
	}
	_, err = ri.Get(context.Background(), u.GetName(), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return false, nil
	}
	return err == nil, err
}

// kubeconfig writes a kubeconfig of the management API server for Argo CD.
func (a *apiServer) kubeconfig(t *testing.T, path string) {
	t.Helper()
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["mgmt"] = &clientcmdapi.Cluster{Server: a.cfg.Host, InsecureSkipTLSVerify: true}
	cfg.AuthInfos["admin"] = &clientcmdapi.AuthInfo{Token: adminToken}
	cfg.Contexts["mgmt"] = &clientcmdapi.Context{Cluster: "mgmt", AuthInfo: "admin", Namespace: "argocd"}
	cfg.CurrentContext = "mgmt"
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
}

// serviceAccountKeys writes the signing key pair every API server shares.
func serviceAccountKeys(t *testing.T, dir string) (key, pub string) {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	key, pub = filepath.Join(dir, "sa.key"), filepath.Join(dir, "sa.pub")
	must(t, os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}), 0o600))
	must(t, os.WriteFile(pub, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), 0o644))
	return key, pub
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// run runs a command to completion in dir, failing the test with its output.
func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// countKinds counts objects per kind, for messages.
func countKinds(objs []*unstructured.Unstructured) string {
	n := map[string]int{}
	for _, o := range objs {
		n[o.GetKind()]++
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(n)) {
		parts = append(parts, fmt.Sprintf("%s=%d", k, n[k]))
	}
	return strings.Join(parts, " ")
}
