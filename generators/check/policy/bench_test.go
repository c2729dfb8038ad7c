package policy

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hue-platform/hue-gitops/generators/check"
	"github.com/hue-platform/hue-gitops/generators/manifest"
)

// syntheticService is one clean service as the generators render it.
const syntheticService = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: %[1]s, namespace: %[2]s}
spec:
  podSelector: {matchLabels: {service: %[1]s}}
  policyTypes: [Ingress, Egress]
  ingress: [{from: [{podSelector: {matchLabels: {app: hue}}}]}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: %[1]s, namespace: %[2]s}
automountServiceAccountToken: false
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: %[1]s
  namespace: %[2]s
  labels: {app: hue, service: %[1]s, tier: backend, runtime-environment: production}
spec:
  replicas: 3
  selector: {matchLabels: {app: hue, service: %[1]s}}
  template:
    metadata:
      labels: {app: hue, service: %[1]s, tier: backend, runtime-environment: production}
    spec:
      automountServiceAccountToken: false
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 100
            podAffinityTerm: {topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: hue, service: %[1]s}}}
      containers:
      - name: %[1]s
        image: registry.hue.dev/%[1]s:1.0.0@sha256:3f1d3f1d3f1d3f1d3f1d3f1d3f1d3f1d3f1d3f1d3f1d3f1d3f1d3f1d3f1d3f1d
        ports: [{name: http, containerPort: 8080}]
        resources: {requests: {cpu: 100m, memory: 128Mi, ephemeral-storage: 64Mi}, limits: {cpu: 500m, memory: 256Mi, ephemeral-storage: 256Mi}}
        livenessProbe: {httpGet: {path: /healthz, port: http}}
        readinessProbe: {httpGet: {path: /ready, port: 8080}}
        securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: %[1]s, namespace: %[2]s}
spec: {maxUnavailable: 1, selector: {matchLabels: {app: hue, service: %[1]s}}}
---
apiVersion: v1
kind: Service
metadata: {name: %[1]s, namespace: %[2]s}
spec: {selector: {app: hue, service: %[1]s}, ports: [{port: 80, targetPort: http}]}
`

func syntheticCluster(b *testing.B, services int) *check.Cluster {
	var y strings.Builder
	namespaces := []string{"hue", "hue-data", "hue-node", "hue-system", "restricted"}
	for _, ns := range namespaces {
		fmt.Fprintf(&y, `---
apiVersion: v1
kind: Namespace
metadata:
  name: %[1]s
  labels: {pod-security.kubernetes.io/enforce: restricted, pod-security.kubernetes.io/audit: restricted, pod-security.kubernetes.io/warn: restricted, hue.dev/data-residency: eu}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: %[1]s}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
`, ns)
	}
	for i := range services {
		y.WriteString("---")
		fmt.Fprintf(&y, syntheticService, fmt.Sprintf("svc-%03d", i), namespaces[i%len(namespaces)])
	}
	objs, err := manifest.Decode("synthetic.yaml", []byte(y.String()))
	if err != nil {
		b.Fatal(err)
	}
	spec, err := LoadClusterSpec(fixtureCluster(b))
	if err != nil {
		b.Fatal(err)
	}
	return &check.Cluster{Spec: spec, Objects: objs}
}

// BenchmarkEvaluate evaluates all policies over synthetic clusters of 60 services (308 objects),
// four clusters per iteration so the parallel evaluation shows.
func BenchmarkEvaluate(b *testing.B) {
	e, err := Load(policiesDir(b))
	if err != nil {
		b.Fatal(err)
	}
	c := syntheticCluster(b, 60)
	clusters := []*check.Cluster{c, c, c, c}
	ctx := context.Background()
	fs, err := e.Evaluate(ctx, clusters)
	if err != nil {
		b.Fatal(err)
	}
	if len(fs) != 0 {
		b.Fatalf("synthetic cluster is not clean: %v", fs[0])
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := e.Evaluate(ctx, clusters); err != nil {
			b.Fatal(err)
		}
	}
	objects := float64(len(c.Objects) * len(clusters) * b.N)
	b.ReportMetric(objects/b.Elapsed().Seconds(), "objects/s")
}
