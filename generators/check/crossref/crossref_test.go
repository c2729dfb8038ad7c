package crossref

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hue-platform/hue-gitops/generators/api/v1alpha1"
	"github.com/hue-platform/hue-gitops/generators/check"
	"github.com/hue-platform/hue-gitops/generators/check/checktest"
	"github.com/hue-platform/hue-gitops/generators/manifest"
)

// parse reads a multi-document YAML fixture into objects, as a rendered file is read.
func parse(t *testing.T, docs string) []manifest.Object {
	t.Helper()
	objs, err := manifest.Decode("fixture.yaml", []byte(docs))
	require.NoError(t, err)
	return objs
}

func run(t *testing.T, docs ...string) []check.Finding {
	t.Helper()
	hc := &v1alpha1.HueCluster{}
	hc.Name = "c1"
	return Check(&check.Cluster{Spec: hc, Objects: parse(t, strings.Join(docs, "\n---\n"))})
}

// fixture is what every finding of these tests carries: this check, the cluster run checks
// and the file parse decodes.
var fixture = checktest.Common{Check: ID, Cluster: "c1", Source: "fixture.yaml"}

// web is a Deployment with ports http (8080) and metrics (9090) and probes on them.
const web = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: hue}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, tier: front}}
    spec:
      containers:
      - name: web
        image: web:1
        ports:
        - {name: http, containerPort: 8080}
        - {name: metrics, containerPort: 9090}
        - {name: dns, containerPort: 53, protocol: UDP}
        livenessProbe: {httpGet: {path: /healthz, port: http}}
        readinessProbe: {tcpSocket: {port: 8080}}
        startupProbe: {grpc: {port: 9090}}`

const webService = `apiVersion: v1
kind: Service
metadata: {name: web, namespace: hue}
spec:
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: http}
  - {name: metrics, port: 9090}`

func TestServices(t *testing.T) {
	tests := []struct {
		name  string
		docs  []string
		wants []checktest.Want
	}{
		{name: "service selecting a deployment by name and number", docs: []string{web, webService}},
		// A selector that matches nothing is policy HUE-026's finding, reported once, there;
		// with no pod there is no port to check either.
		{
			name: "selector matching nothing",
			docs: []string{web, strings.Replace(webService, "{app: web}", "{app: web, tier: back}", 1)},
		},
		{
			name: "selector matching a workload in another namespace only",
			docs: []string{strings.Replace(web, "namespace: hue", "namespace: other", 1), strings.Replace(webService, "targetPort: http", "targetPort: https", 1)},
		},
		{
			name: "unknown target port name",
			docs: []string{web, strings.Replace(webService, "targetPort: http", "targetPort: https", 1)},
			wants: []checktest.Want{checktest.Error("Service", "web", "spec.ports[0].targetPort",
				`targetPort "https" is not a container port name in any selected pod template (Deployment/hue/web)`)},
		},
		{
			name:  "undeclared target port number",
			docs:  []string{web, strings.Replace(webService, "targetPort: http", "targetPort: 8081", 1)},
			wants: []checktest.Want{checktest.Warning("Service", "web", "spec.ports[0].targetPort", "targetPort 8081/TCP is not a declared containerPort")},
		},
		{
			name:  "target port defaults to the port",
			docs:  []string{web, strings.Replace(webService, "port: 9090}", "port: 9091}", 1)},
			wants: []checktest.Want{checktest.Warning("Service", "web", "spec.ports[1].targetPort", "targetPort 9091/TCP")},
		},
		{
			name:  "protocol must match",
			docs:  []string{web, strings.Replace(webService, "port: 9090}", "port: 53, protocol: TCP}", 1)},
			wants: []checktest.Want{checktest.Warning("Service", "web", "spec.ports[1].targetPort", "targetPort 53/TCP")},
		},
		{name: "udp port", docs: []string{web, strings.Replace(webService, "port: 9090}", "port: 53, protocol: UDP}", 1)}},
		{
			name: "selector-less service without endpoint slice",
			docs: []string{`apiVersion: v1
kind: Service
metadata: {name: pg, namespace: hue}
spec: {ports: [{port: 5432}]}`},
			wants: []checktest.Want{checktest.Error("Service", "pg", "spec.selector", "no selector and no EndpointSlice labelled kubernetes.io/service-name=pg")},
		},
		{
			name: "selector-less service with endpoint slice",
			docs: []string{`apiVersion: v1
kind: Service
metadata: {name: pg, namespace: hue}
spec: {ports: [{port: 5432}]}`, `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: pg-1, namespace: hue, labels: {kubernetes.io/service-name: pg}}
addressType: IPv4
endpoints: [{addresses: [10.0.0.1]}]
ports: [{port: 5432}]`},
		},
		{
			name: "endpoint slice in another namespace does not count",
			docs: []string{`apiVersion: v1
kind: Service
metadata: {name: pg, namespace: hue}
spec: {ports: [{port: 5432}]}`, `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: pg-1, namespace: db, labels: {kubernetes.io/service-name: pg}}
addressType: IPv4`},
			wants: []checktest.Want{checktest.Error("Service", "pg", "spec.selector", "no EndpointSlice")},
		},
		{
			name: "external name service",
			docs: []string{`apiVersion: v1
kind: Service
metadata: {name: mail, namespace: hue}
spec: {type: ExternalName, externalName: smtp.example.org}`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checktest.AssertFindings(t, run(t, tt.docs...), fixture, tt.wants) })
	}
}

// Probe ports are policy HUE-027's to report, once; this check leaves them alone.
func TestProbesAreLeftToThePolicy(t *testing.T) {
	checktest.AssertFindings(t, run(t, strings.Replace(web, "port: http}", "port: healthz}", 1)), fixture, nil)
}

// app references one of everything.
const app = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: app, namespace: hue, annotations: {hue.dev/external-secrets: "app-tls, vault-token"}}
spec:
  selector: {matchLabels: {app: app}}
  serviceName: app
  template:
    metadata: {labels: {app: app}}
    spec:
      serviceAccountName: app
      imagePullSecrets: [{name: registry}]
      initContainers:
      - name: init
        image: init
        envFrom: [{configMapRef: {name: app-env}}]
      containers:
      - name: app
        image: app
        envFrom:
        - secretRef: {name: app-secret-env}
        - configMapRef: {name: maybe, optional: true}
        env:
        - {name: A, valueFrom: {configMapKeyRef: {name: app-config, key: a}}}
        - {name: B, valueFrom: {secretKeyRef: {name: app-secret, key: b}}}
        - {name: C, valueFrom: {secretKeyRef: {name: nothing, key: c, optional: true}}}
        - {name: D, valueFrom: {secretKeyRef: {name: vault-token, key: token}}}
        - {name: E, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
        volumeMounts: [{name: data, mountPath: /data}]
      volumes:
      - {name: config, configMap: {name: app-config, items: [{key: a, path: a.conf}]}}
      - {name: tls, secret: {secretName: app-tls}}
      - {name: shared, persistentVolumeClaim: {claimName: shared}}
      - {name: tmpl, persistentVolumeClaim: {claimName: data}}
      - name: bundle
        projected:
          sources:
          - configMap: {name: app-config}
          - secret: {name: app-secret}
          - serviceAccountToken: {path: token}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}`

const appDeps = `apiVersion: v1
kind: ServiceAccount
metadata: {name: app, namespace: hue}
---
apiVersion: v1
kind: Secret
metadata: {name: registry, namespace: hue}
type: kubernetes.io/dockerconfigjson
data: {.dockerconfigjson: e30=}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: app-env, namespace: hue}
---
apiVersion: v1
kind: Secret
metadata: {name: app-secret-env, namespace: hue}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: app-config, namespace: hue}
data: {a: "1"}
---
apiVersion: v1
kind: Secret
metadata: {name: app-secret, namespace: hue}
stringData: {b: "2"}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: shared, namespace: hue}
spec: {accessModes: [ReadWriteMany], resources: {requests: {storage: 1Gi}}}`

// without removes the object of the given kind and name from appDeps.
func without(kind, name string) string {
	var keep []string
	for _, doc := range strings.Split(appDeps, "\n---\n") {
		if strings.Contains(doc, "kind: "+kind+"\n") && strings.Contains(doc, "{name: "+name+",") {
			continue
		}
		keep = append(keep, doc)
	}
	return strings.Join(keep, "\n---\n")
}

func TestPodReferences(t *testing.T) {
	const p = "spec.template.spec."
	tests := []struct {
		name  string
		docs  []string
		wants []checktest.Want
	}{
		{name: "everything resolves", docs: []string{app, appDeps}},
		{
			name:  "missing service account",
			docs:  []string{app, without("ServiceAccount", "app")},
			wants: []checktest.Want{checktest.Error("StatefulSet", "app", p+"serviceAccountName", `ServiceAccount "app" does not exist in namespace "hue"`)},
		},
		{
			name:  "missing image pull secret",
			docs:  []string{app, without("Secret", "registry")},
			wants: []checktest.Want{checktest.Error("StatefulSet", "app", p+"imagePullSecrets[0].name", `Secret "registry" does not exist in namespace "hue" (declare it in annotation hue.dev/external-secrets`)},
		},
		{
			name:  "missing init container envFrom",
			docs:  []string{app, without("ConfigMap", "app-env")},
			wants: []checktest.Want{checktest.Error("StatefulSet", "app", p+"initContainers[0].envFrom[0].configMapRef.name", `ConfigMap "app-env" does not exist`)},
		},
		{
			name:  "missing secret envFrom",
			docs:  []string{app, without("Secret", "app-secret-env")},
			wants: []checktest.Want{checktest.Error("StatefulSet", "app", p+"containers[0].envFrom[0].secretRef.name", `Secret "app-secret-env" does not exist`)},
		},
		{
			name: "missing config map referenced three ways",
			docs: []string{app, without("ConfigMap", "app-config")},
			wants: []checktest.Want{
				checktest.Error("StatefulSet", "app", p+"containers[0].env[0].valueFrom.configMapKeyRef", `ConfigMap "app-config" does not exist`),
				checktest.Error("StatefulSet", "app", p+"volumes[0].configMap.items[0].key", `ConfigMap "app-config" does not exist`),
				checktest.Error("StatefulSet", "app", p+"volumes[0].configMap.name", `ConfigMap "app-config" does not exist`),
				checktest.Error("StatefulSet", "app", p+"volumes[4].projected.sources[0].configMap.name", `ConfigMap "app-config" does not exist`),
			},
		},
		{
			name: "missing keys",
			docs: []string{app, strings.Replace(strings.Replace(appDeps, `data: {a: "1"}`, `data: {x: "1"}`, 1), `stringData: {b: "2"}`, `data: {c: Mg==}`, 1)},
			wants: []checktest.Want{
				checktest.Error("StatefulSet", "app", p+"containers[0].env[0].valueFrom.configMapKeyRef", `ConfigMap "app-config" has no key "a"`),
				checktest.Error("StatefulSet", "app", p+"containers[0].env[1].valueFrom.secretKeyRef", `Secret "app-secret" has no key "b"`),
				checktest.Error("StatefulSet", "app", p+"volumes[0].configMap.items[0].key", `ConfigMap "app-config" has no key "a"`),
			},
		},
		{
			name:  "missing pvc; claim templates count",
			docs:  []string{app, without("PersistentVolumeClaim", "shared")},
			wants: []checktest.Want{checktest.Error("StatefulSet", "app", p+"volumes[2].persistentVolumeClaim.claimName", `PersistentVolumeClaim "shared" does not exist`)},
		},
		{
			name:  "external secrets only when declared",
			docs:  []string{strings.Replace(app, `"app-tls, vault-token"`, `"app-tls"`, 1), appDeps},
			wants: []checktest.Want{checktest.Error("StatefulSet", "app", p+"containers[0].env[3].valueFrom.secretKeyRef", `Secret "vault-token" does not exist`)},
		},
		{
			name: "references resolve in the object's namespace only",
			docs: []string{app, strings.ReplaceAll(without("ServiceAccount", "app"), "namespace: hue", "namespace: hue") + `
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: app, namespace: other}`},
			wants: []checktest.Want{checktest.Error("StatefulSet", "app", p+"serviceAccountName", `ServiceAccount "app" does not exist in namespace "hue"`)},
		},
		{
			name: "default service account and annotation on the pod template",
			docs: []string{`apiVersion: batch/v1
kind: Job
metadata: {name: j, namespace: hue}
spec:
  template:
    metadata: {annotations: {hue.dev/external-secrets: creds}}
    spec:
      serviceAccountName: default
      restartPolicy: Never
      containers: [{name: j, image: j, envFrom: [{secretRef: {name: creds}}]}]`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checktest.AssertFindings(t, run(t, tt.docs...), fixture, tt.wants) })
	}
}

func TestHPAAndPDB(t *testing.T) {
	hpa := `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: hue}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 4`
	pdb := `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: hue}
spec:
  minAvailable: 1
  selector: {matchExpressions: [{key: app, operator: In, values: [web, api]}]}`
	tests := []struct {
		name  string
		docs  []string
		wants []checktest.Want
	}{
		{name: "both point at the deployment", docs: []string{web, hpa, pdb}},
		{
			name:  "hpa target missing",
			docs:  []string{web, strings.Replace(hpa, "name: web}", "name: api}", 1)},
			wants: []checktest.Want{checktest.Error("HorizontalPodAutoscaler", "web", "spec.scaleTargetRef", `scale target apps/v1 Deployment/api does not exist in namespace "hue"`)},
		},
		{
			name:  "hpa target of the wrong kind",
			docs:  []string{web, strings.Replace(hpa, "kind: Deployment", "kind: StatefulSet", 1)},
			wants: []checktest.Want{checktest.Error("HorizontalPodAutoscaler", "web", "spec.scaleTargetRef", "StatefulSet/web does not exist")},
		},
		{
			name:  "pdb selecting nothing",
			docs:  []string{web, strings.Replace(pdb, "[web, api]", "[api]", 1)},
			wants: []checktest.Want{checktest.Error("PodDisruptionBudget", "web", "spec.selector", `selector app in (api) selects no pod template in namespace "hue"`)},
		},
		{
			name:  "pdb without selector",
			docs:  []string{web, strings.Replace(pdb, "  selector: {matchExpressions: [{key: app, operator: In, values: [web, api]}]}", "", 1)},
			wants: []checktest.Want{checktest.Error("PodDisruptionBudget", "web", "spec.selector", "has no selector")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checktest.AssertFindings(t, run(t, tt.docs...), fixture, tt.wants) })
	}
}

func TestIngress(t *testing.T) {
	ing := `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: hue, annotations: {hue.dev/external-secrets: web-tls}}
spec:
  defaultBackend: {service: {name: web, port: {number: 80}}}
  tls: [{hosts: [web.example.org], secretName: web-tls}]
  rules:
  - host: web.example.org
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}
      - {path: /metrics, pathType: Exact, backend: {service: {name: web, port: {number: 9090}}}}`
	np := `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: nothing, namespace: hue}
spec: {podSelector: {matchLabels: {app: nothing}}}`
	tests := []struct {
		name  string
		docs  []string
		wants []checktest.Want
	}{
		{name: "backends and network policy resolve", docs: []string{web, webService, ing, np}},
		{
			name: "missing service",
			docs: []string{web, ing},
			wants: []checktest.Want{
				checktest.Error("Ingress", "web", "spec.defaultBackend.service.name", `Service "web" does not exist in namespace "hue"`),
				checktest.Error("Ingress", "web", "spec.rules[0].http.paths[0].backend.service.name", `Service "web" does not exist`),
				checktest.Error("Ingress", "web", "spec.rules[0].http.paths[1].backend.service.name", `Service "web" does not exist`),
			},
		},
		{
			name: "missing ports",
			docs: []string{web, webService, strings.Replace(strings.Replace(ing, "{name: http}", "{name: https}", 1), "{number: 80}", "{number: 8080}", 1)},
			wants: []checktest.Want{
				checktest.Error("Ingress", "web", "spec.defaultBackend.service.port.number", `Service "web" has no port 8080 (ports: 80 (http), 9090 (metrics))`),
				checktest.Error("Ingress", "web", "spec.rules[0].http.paths[0].backend.service.port.name", `Service "web" has no port named "https"`),
			},
		},
		{
			name:  "tls secret neither rendered nor external",
			docs:  []string{web, webService, strings.Replace(ing, "annotations: {hue.dev/external-secrets: web-tls}", "annotations: {}", 1)},
			wants: []checktest.Want{checktest.Error("Ingress", "web", "spec.tls[0].secretName", `Secret "web-tls" does not exist`)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checktest.AssertFindings(t, run(t, tt.docs...), fixture, tt.wants) })
	}
}
