package schema

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/hue-platform/hue-gitops/generators/api/v1alpha1"
	"github.com/hue-platform/hue-gitops/generators/check"
	"github.com/hue-platform/hue-gitops/generators/check/checktest"
	"github.com/hue-platform/hue-gitops/generators/manifest"
)

func run(t *testing.T, docs string) []check.Finding {
	t.Helper()
	objs, err := manifest.Decode("fixture.yaml", []byte(docs))
	require.NoError(t, err)
	require.NotEmpty(t, objs)
	return checkObjects(objs)
}

func checkObjects(objs []manifest.Object) []check.Finding {
	hc := &v1alpha1.HueCluster{}
	hc.Name = "c1"
	return Check(&check.Cluster{Spec: hc, Objects: objs})
}

// fixture is what every finding of these tests carries: this check, the cluster run checks
// and the file it decodes.
var fixture = checktest.Common{Check: ID, Cluster: "c1", Source: "fixture.yaml"}

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: hue, labels: {app.kubernetes.io/name: web}, annotations: {hue.dev/owner: team-a}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, tier: front}}
    spec:
      volumes: [{name: cache, emptyDir: {sizeLimit: 1Gi}}]
      initContainers:
      - {name: migrate, image: web:1}
      containers:
      - name: web
        image: web:1
        ports: [{name: http, containerPort: 8080}, {name: metrics, containerPort: 9090}]
        resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {cpu: "1", memory: 128Mi}}
        livenessProbe: {httpGet: {path: /healthz, port: http}}
        readinessProbe: {tcpSocket: {port: 8080}}
        startupProbe: {grpc: {port: 9090}}
        volumeMounts: [{name: cache, mountPath: /cache}]
      - name: sidecar
        image: proxy:1`

const valid = deployment + `
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: hue}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http, nodePort: 30080}, {name: metrics, port: 9090}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: hue}
data: {app.conf: "x", .hidden: "y"}
binaryData: {blob: AAE=}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: hue}
spec:
  serviceName: db
  selector: {matchExpressions: [{key: app, operator: In, values: [db]}]}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: db, volumeMounts: [{name: data, mountPath: /data}]}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 10Gi}}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: hue}
spec:
  schedule: "0 3 * * *"
  timeZone: Europe/Berlin
  jobTemplate:
    spec:
      template:
        spec: {restartPolicy: OnFailure, containers: [{name: job, image: job}]}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: hourly, namespace: hue}
spec:
  schedule: "@every 1h"
  jobTemplate:
    spec:
      template:
        spec: {restartPolicy: Never, containers: [{name: job, image: job}]}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: hue}
spec: {minAvailable: 1, selector: {matchLabels: {app: web}}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: hue}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: 4
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: AverageValue, averageValue: 500m}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: hue}
spec:
  rules: [{host: web.example.org, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}]}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "hue:reader"}
rules: [{apiGroups: [""], resources: [pods], verbs: [get, list]}]
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: hue, namespace: argocd}
spec: {anything: [goes]}
---
apiVersion: platform.hue.dev/v1alpha1
kind: HueService
metadata: {name: web}
spec: {whatever: 1}`

func TestValidObjects(t *testing.T) {
	checktest.AssertFindings(t, run(t, valid), fixture, nil)
}

// edit replaces old with new in the Deployment fixture, failing when old is not there.
func edit(t *testing.T, doc string, pairs ...string) string {
	t.Helper()
	for i := 0; i < len(pairs); i += 2 {
		require.Contains(t, doc, pairs[i])
		doc = strings.Replace(doc, pairs[i], pairs[i+1], 1)
	}
	return doc
}

func TestDecoding(t *testing.T) {
	const c1 = "spec.template.spec.containers[1]"
	tests := []struct {
		name  string
		docs  string
		wants []checktest.Want
	}{
		{
			name: "unknown fields, with list indexes",
			docs: edit(t, deployment, "replicas: 2", "replicas: 2\n  replica: 3", "image: proxy:1", "image: proxy:1\n        imagePullPolicy: Always\n        imagePolicy: Always"),
			wants: []checktest.Want{
				checktest.Error("Deployment", "web", "spec.replica", "unknown field"),
				checktest.Error("Deployment", "web", c1+".imagePolicy", "unknown field"),
			},
		},
		{
			name:  "wrong scalar type",
			docs:  edit(t, deployment, "replicas: 2", `replicas: "2"`),
			wants: []checktest.Want{checktest.Error("Deployment", "web", "spec.replicas", "wrong type: got string, want int32")},
		},
		{
			name:  "wrong type inside lists is located by index",
			docs:  edit(t, deployment, "image: proxy:1", "image: proxy:1\n        ports: [{containerPort: 80}, {containerPort: eighty}]"),
			wants: []checktest.Want{checktest.Error("Deployment", "web", c1+".ports[1].containerPort", "wrong type: got string, want int32")},
		},
		{
			name:  "wrong type through an embedded struct",
			docs:  edit(t, deployment, "port: 8080}", "port: true}"),
			wants: []checktest.Want{checktest.Error("Deployment", "web", "spec.template.spec.containers[0].readinessProbe.tcpSocket.port", "wrong type: got bool")},
		},
		{
			name:  "object instead of list",
			docs:  edit(t, deployment, "volumes: [{name: cache, emptyDir: {sizeLimit: 1Gi}}]", "volumes: {name: cache}"),
			wants: []checktest.Want{checktest.Error("Deployment", "web", "spec.template.spec.volumes", "wrong type: got object, want []v1.Volume")},
		},
		{
			name:  "number in a string list",
			docs:  edit(t, deployment, "image: proxy:1", "image: proxy:1\n        args: [--port, 80]"),
			wants: []checktest.Want{checktest.Error("Deployment", "web", c1+".args[1]", "wrong type: got number, want string")},
		},
		{
			name: "bad quantities",
			docs: edit(t, deployment, "cpu: 100m", "cpu: 100mcores", "sizeLimit: 1Gi", "sizeLimit: 1 GB"),
			wants: []checktest.Want{
				checktest.Error("Deployment", "web", "spec.template.spec.containers[0].resources.requests.cpu", `invalid quantity "100mcores"`),
				checktest.Error("Deployment", "web", "spec.template.spec.volumes[0].emptyDir.sizeLimit", `invalid quantity "1 GB"`),
			},
		},
		{
			name: "bad hpa target quantity",
			docs: `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: hue}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: 4
  metrics: [{type: Resource, resource: {name: cpu, target: {type: AverageValue, averageValue: half}}}]`,
			wants: []checktest.Want{checktest.Error("HorizontalPodAutoscaler", "web", "spec.metrics[0].resource.target.averageValue", `invalid quantity "half"`)},
		},
		{
			name: "limit range items are not quantities",
			docs: `apiVersion: v1
kind: LimitRange
metadata: {name: lr, namespace: hue}
spec:
  limits: [{type: Container, default: {cpu: lots}}]`,
			wants: []checktest.Want{checktest.Error("LimitRange", "lr", "spec.limits[0].default.cpu", `invalid quantity "lots"`)},
		},
		{
			name:  "unknown kind",
			docs:  "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {a: 1}",
			wants: []checktest.Want{checktest.Warning("Widget", "w", "", "unknown kind, not schema-checked (example.com/v1 Widget)")},
		},
		{
			name:  "kind of an unserved version",
			docs:  "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {name: p}\nspec: {minAvailable: 1}",
			wants: []checktest.Want{checktest.Error("PodDisruptionBudget", "p", "apiVersion", "policy/v1beta1 is not a served version of PodDisruptionBudget; known versions: v1")},
		},
		{
			name:  "hpa versions listed",
			docs:  "apiVersion: autoscaling/v2beta2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}",
			wants: []checktest.Want{checktest.Error("HorizontalPodAutoscaler", "h", "apiVersion", "known versions: v1, v2")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checktest.AssertFindings(t, run(t, tt.docs), fixture, tt.wants) })
	}
}

// TestValues shows that values the Go types accept but the API server refuses are found, at the
// field the API server names, with its message: the rules are Kubernetes' own (kubevalidate).
func TestValues(t *testing.T) {
	const c0 = "spec.template.spec.containers[0]"
	tests := []struct {
		name  string
		docs  string
		wants []checktest.Want
	}{
		{
			name: "container, port and volume names",
			docs: edit(t, deployment, "name: sidecar", "name: Side_car", "name: http,", "name: http-metrics-port,", "{name: metrics,", `{name: "9090",`, "{name: cache,", "{name: Cache,"),
			wants: []checktest.Want{
				checktest.Error("Deployment", "web", c0+".ports[0].name", `Invalid value: "http-metrics-port": must be no more than 15 characters`),
				checktest.Error("Deployment", "web", c0+".ports[1].name", `Invalid value: "9090": must contain at least one letter`),
				checktest.Error("Deployment", "web", c0+".volumeMounts[0].name", `Not found: "cache"`),
				checktest.Error("Deployment", "web", "spec.template.spec.containers[1].name", `Invalid value: "Side_car": a lowercase RFC 1123 label`),
				checktest.Error("Deployment", "web", "spec.template.spec.volumes[0].name", `Invalid value: "Cache"`),
			},
		},
		{
			name: "duplicates",
			docs: edit(t, deployment, "name: sidecar", "name: migrate", "{name: metrics,", "{name: http,"),
			wants: []checktest.Want{
				checktest.Error("Deployment", "web", c0+".ports[1].name", `Duplicate value: "http"`),
				checktest.Error("Deployment", "web", "spec.template.spec.initContainers[0].name", `Duplicate value: "migrate"`),
			},
		},
		{
			name: "labels, annotations and name",
			docs: edit(t, deployment, "name: web, namespace: hue, labels: {app.kubernetes.io/name: web}", `namespace: hue, labels: {"bad key": web, ok: "-bad-"}`,
				"hue.dev/owner: team-a", "hue.dev/owner/x: team-a", "tier: front", "tier: front/back"),
			wants: []checktest.Want{
				checktest.Error("Deployment", "", "metadata.annotations", `Invalid value: "hue.dev/owner/x"`),
				checktest.Error("Deployment", "", "metadata.labels", `Invalid value: "-bad-"`),
				checktest.Error("Deployment", "", "metadata.labels", `Invalid value: "bad key"`),
				checktest.Error("Deployment", "", "metadata.name", "Required value: name or generateName is required"),
				checktest.Error("Deployment", "", "spec.template.labels", `Invalid value: "front/back"`),
			},
		},
		{
			name:  "selector does not match the template",
			docs:  edit(t, deployment, "matchLabels: {app: web}", "matchLabels: {app: web, tier: back}"),
			wants: []checktest.Want{checktest.Error("Deployment", "web", "spec.template.metadata.labels", "`selector` does not match template `labels`")},
		},
		{
			name: "selector missing",
			docs: edit(t, deployment, "  selector: {matchLabels: {app: web}}\n", ""),
			wants: []checktest.Want{
				checktest.Error("Deployment", "web", "spec.selector", "Required value"),
				checktest.Error("Deployment", "web", "spec.template.metadata.labels", "`selector` does not match template `labels`"),
			},
		},
		{
			name: "probe ports",
			docs: edit(t, deployment, "port: http}", "port: Http_}", "port: 8080}", "port: 0}", "port: 9090}", "port: 70000}"),
			wants: []checktest.Want{
				checktest.Error("Deployment", "web", c0+".livenessProbe.httpGet.port", `Invalid value: "Http_"`),
				checktest.Error("Deployment", "web", c0+".readinessProbe.tcpSocket.port", "Invalid value: 0: must be between 1 and 65535"),
				checktest.Error("Deployment", "web", c0+".startupProbe.grpc.port", "Invalid value: 70000: must be between 1 and 65535"),
			},
		},
		{
			name:  "request above limit",
			docs:  edit(t, deployment, "memory: 128Mi}, limits", "memory: 1Gi}, limits"),
			wants: []checktest.Want{checktest.Error("Deployment", "web", c0+".resources.requests", "must be less than or equal to memory limit of 128Mi")},
		},
		{
			name: "job restart policy and parallelism",
			docs: `apiVersion: batch/v1
kind: Job
metadata: {name: b, namespace: hue}
spec: {parallelism: -1, template: {spec: {restartPolicy: Always, containers: [{name: a, image: a}]}}}`,
			wants: []checktest.Want{
				checktest.Error("Job", "b", "spec.parallelism", "must be greater than or equal to 0"),
				checktest.Error("Job", "b", "spec.template.spec.restartPolicy", `valid values: "OnFailure", "Never"`),
			},
		},
		{
			name: "cronjob schedule, time zone and name length",
			docs: `apiVersion: batch/v1
kind: CronJob
metadata: {name: b, namespace: hue}
spec: {schedule: "0 3 * *", jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: a, image: a}]}}}}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: c, namespace: hue}
spec: {schedule: "CRON_TZ=UTC 0 3 * * *", jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: a, image: a}]}}}}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: d, namespace: hue}
spec: {schedule: "0 3 * * *", timeZone: Mars/Olympus, jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: a, image: a}]}}}}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: reminders-digest-for-every-school-of-the-north-district, namespace: hue}
spec: {schedule: "0 3 * * *", jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: a, image: a}]}}}}}`,
			wants: []checktest.Want{
				checktest.Error("CronJob", "b", "spec.schedule", `Invalid value: "0 3 * *"`),
				checktest.Error("CronJob", "c", "spec.schedule", "cannot use TZ or CRON_TZ in schedule"),
				checktest.Error("CronJob", "d", "spec.timeZone", `Invalid value: "Mars/Olympus"`),
				checktest.Error("CronJob", "reminders-digest-for-every-school-of-the-north-district", "metadata.name", "must be no more than 52 characters"),
			},
		},
		{
			name: "service ports",
			docs: `apiVersion: v1
kind: Service
metadata: {name: s, namespace: hue}
spec:
  selector: {app: s}
  ports: [{port: 80, targetPort: "8080"}, {name: http, port: 0, nodePort: 30080}, {name: http, port: 81, targetPort: 65536}]`,
			wants: []checktest.Want{
				checktest.Error("Service", "s", "spec.ports[0].name", "Required value"),
				checktest.Error("Service", "s", "spec.ports[0].targetPort", `Invalid value: "8080": must contain at least one letter`),
				checktest.Error("Service", "s", "spec.ports[1].nodePort", "may not be used when `type` is 'ClusterIP'"),
				checktest.Error("Service", "s", "spec.ports[1].port", "Invalid value: 0"),
				checktest.Error("Service", "s", "spec.ports[1].targetPort", "Invalid value: 0"),
				checktest.Error("Service", "s", "spec.ports[2].name", `Duplicate value: "http"`),
				checktest.Error("Service", "s", "spec.ports[2].targetPort", "Invalid value: 65536"),
			},
		},
		{
			name: "configmap and secret keys",
			docs: `apiVersion: v1
kind: ConfigMap
metadata: {name: c, namespace: hue}
data: {a/b: x}
---
apiVersion: v1
kind: Secret
metadata: {name: s, namespace: hue}
stringData: {"a b": x}`,
			wants: []checktest.Want{
				checktest.Error("ConfigMap", "c", "data[a/b]", `Invalid value: "a/b"`),
				checktest.Error("Secret", "s", "data[a b]", `Invalid value: "a b"`),
			},
		},
		{
			name:  "negative storage request",
			docs:  edit(t, valid, "storage: 10Gi", "storage: -1Gi"),
			wants: []checktest.Want{checktest.Error("StatefulSet", "db", "spec.volumeClaimTemplates[0].spec.resources[storage]", `Invalid value: "-1Gi": must be greater than zero`)},
		},
		{
			name: "a namespace name longer than a label",
			docs: "apiVersion: v1\nkind: Namespace\nmetadata: {name: " + strings.Repeat("n", 64) + "}",
			wants: []checktest.Want{ // the name is also the kubernetes.io/metadata.name label the API server sets
				checktest.Error("Namespace", strings.Repeat("n", 64), "metadata.labels", "must be no more than 63 bytes"),
				checktest.Error("Namespace", strings.Repeat("n", 64), "metadata.name", "must be no more than 63 characters"),
			},
		},
		{
			name:  "an annotation value too large",
			docs:  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: hue, annotations: {hue.dev/description: " + strings.Repeat("d", 300*1024) + "}}",
			wants: []checktest.Want{checktest.Error("ConfigMap", "c", "metadata.annotations", "Too long: may not be more than 262144 bytes")},
		},
		{
			name: "ingress class and TLS secret names",
			docs: `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: hue}
spec:
  ingressClassName: Nginx_Public
  tls: [{hosts: [web.example.org], secretName: Web_TLS}]
  rules: [{host: web.example.org, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}]}}]`,
			wants: []checktest.Want{
				checktest.Error("Ingress", "web", "spec.ingressClassName", `Invalid value: "Nginx_Public"`),
				checktest.Error("Ingress", "web", "spec.tls[0].secretName", `Invalid value: "Web_TLS"`),
			},
		},
		{
			name:  "pdb with both budgets",
			docs:  "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: p, namespace: hue}\nspec: {minAvailable: 1, maxUnavailable: 1, selector: {matchLabels: {app: web}}}",
			wants: []checktest.Want{checktest.Error("PodDisruptionBudget", "p", "spec", "minAvailable and maxUnavailable cannot be both set")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checktest.AssertFindings(t, run(t, tt.docs), fixture, tt.wants) })
	}
}

func TestMissingKind(t *testing.T) {
	u := &unstructured.Unstructured{Object: map[string]any{"metadata": map[string]any{"name": "x"}}}
	checktest.AssertFindings(t, checkObjects([]manifest.Object{{Unstructured: u, Source: "fixture.yaml"}}), fixture,
		[]checktest.Want{checktest.Error("", "x", "", "apiVersion and kind are required")})
}
