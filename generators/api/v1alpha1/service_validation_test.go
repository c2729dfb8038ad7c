package v1alpha1

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hue-platform/hue-gitops/generators/layout"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// rule is one case of a table-driven validation test: a change to a valid object and the
// field (and a piece of the detail) of the one error it must cause; no field means no error.
type rule[T any] struct {
	name   string
	edit   func(*T)
	field  string
	detail string
}

func assertRule(t *testing.T, errs field.ErrorList, wantField, wantDetail string) {
	t.Helper()
	if wantField == "" {
		assert.Empty(t, errs)
		return
	}
	require.Len(t, errs, 1, "errors: %v", errs)
	assert.Equal(t, wantField, errs[0].Field)
	assert.Contains(t, errs[0].ErrorBody(), wantDetail)
}

func validService() *HueService {
	s := &HueService{}
	s.Name = "web"
	s.Spec = HueServiceSpec{
		Workload: Deployment,
		Image:    "registry.hue.dev/hue/web:1.0.0",
		Ports:    []Port{{Name: "http", Port: 8080}},
		Probes: Probes{
			Liveness:  &Probe{HTTPGet: &HTTPGetProbe{Path: "/healthz", Port: 8080}},
			Readiness: &Probe{TCPSocket: &PortProbe{Port: 8080}},
		},
	}
	return s
}

func cronService(s *HueService) {
	s.Spec.Workload, s.Spec.Ports, s.Spec.Probes = CronJob, nil, Probes{}
	s.Spec.Job = &JobSpec{RestartPolicy: corev1.RestartPolicyNever}
	s.Spec.Cron = &CronSpec{Schedule: "0 3 * * *", ConcurrencyPolicy: "Forbid"}
}

func TestServiceValidate(t *testing.T) {
	i32 := func(v int32) *int32 { return &v }
	for _, tt := range []rule[HueService]{
		{name: "valid", edit: func(*HueService) {}},
		{name: "valid cron job", edit: cronService},
		{name: "name", edit: func(s *HueService) { s.Name = "Web_1" }, field: "metadata.name", detail: "RFC 1123"},
		{name: "name of a catalog folder", edit: func(s *HueService) { s.Name = layout.DataStoresFolder }, field: "metadata.name", detail: "holds the catalog's generated datastores"},
		{name: "workload missing", edit: func(s *HueService) { s.Spec.Workload = "" }, field: "spec.workload", detail: "Required value"},
		{name: "workload unknown", edit: func(s *HueService) { s.Spec.Workload = "Pod" }, field: "spec.workload", detail: "Unsupported value"},
		{name: "compartment", edit: func(s *HueService) { s.Spec.Compartment = "Hue" }, field: "spec.compartment"},
		{name: "image missing", edit: func(s *HueService) { s.Spec.Image = "" }, field: "spec.image", detail: "Required value"},
		{name: "image latest", edit: func(s *HueService) { s.Spec.Image = "registry.hue.dev/hue/web:latest" }, field: "spec.image"},
		{name: "replicas negative", edit: func(s *HueService) { s.Spec.Replicas = i32(-1) }, field: "spec.replicas", detail: "must be between 0 and 1000"},
		{name: "replicas too many", edit: func(s *HueService) { s.Spec.Replicas = i32(2000000000) }, field: "spec.replicas", detail: "must be between 0 and 1000"},
		{name: "replicas of a DaemonSet", edit: func(s *HueService) { s.Spec.Workload, s.Spec.Replicas = DaemonSet, i32(2) }, field: "spec.replicas", detail: "only Deployment and StatefulSet"},
		{name: "port name", edit: func(s *HueService) { s.Spec.Ports[0].Name = "a-very-long-port-name" }, field: "spec.ports[0].name"},
		{name: "port number", edit: func(s *HueService) { s.Spec.Ports = append(s.Spec.Ports, Port{Name: "metrics", Port: 70000}) }, field: "spec.ports[1].port"},
		{name: "port twice", edit: func(s *HueService) { s.Spec.Ports = append(s.Spec.Ports, Port{Name: "metrics", Port: 8080}) }, field: "spec.ports[1].port", detail: "Duplicate value"},
		{name: "port name twice", edit: func(s *HueService) { s.Spec.Ports = append(s.Spec.Ports, Port{Name: "http", Port: 9090}) }, field: "spec.ports[1].name", detail: "Duplicate value"},
		{name: "port protocol", edit: func(s *HueService) { s.Spec.Ports[0].Protocol = "HTTP" }, field: "spec.ports[0].protocol", detail: "Unsupported value"},
		{name: "env name", edit: func(s *HueService) { s.Spec.Env = []EnvVar{{Name: "1=x"}} }, field: "spec.env[0].name"},
		{name: "env twice", edit: func(s *HueService) { s.Spec.Env = []EnvVar{{Name: "A"}, {Name: "A"}} }, field: "spec.env[1].name", detail: "Duplicate value"},
		{name: "liveness missing", edit: func(s *HueService) { s.Spec.Probes.Liveness = nil }, field: "spec.probes.liveness"},
		{name: "readiness missing", edit: func(s *HueService) { s.Spec.Probes.Readiness = nil }, field: "spec.probes.readiness"},
		{name: "probe port undeclared", edit: func(s *HueService) { s.Spec.Probes.Readiness.TCPSocket.Port = 9090 }, field: "spec.probes.readiness.tcpSocket.port", detail: "no such port"},
		{name: "probe path", edit: func(s *HueService) { s.Spec.Probes.Liveness.HTTPGet.Path = "healthz" }, field: "spec.probes.liveness.httpGet.path"},
		{name: "probe header", edit: func(s *HueService) { s.Spec.Probes.Liveness.HTTPGet.Headers = []HTTPHeader{{Value: "x"}} }, field: "spec.probes.liveness.httpGet.headers[0].name"},
		{name: "probe scheme", edit: func(s *HueService) { s.Spec.Probes.Liveness.HTTPGet.Scheme = "FTP" }, field: "spec.probes.liveness.httpGet.scheme"},
		{name: "probe exec", edit: func(s *HueService) { s.Spec.Probes.Readiness = &Probe{Exec: &ExecProbe{}} }, field: "spec.probes.readiness.exec.command"},
		{name: "probe two handlers", edit: func(s *HueService) { s.Spec.Probes.Readiness.Exec = &ExecProbe{Command: []string{"true"}} }, field: "spec.probes.readiness", detail: "exactly one of"},
		{name: "probe seconds", edit: func(s *HueService) { s.Spec.Probes.Readiness.PeriodSeconds = 86400 }, field: "spec.probes.readiness.periodSeconds", detail: "between 0 and 3600"},
		{name: "probe threshold", edit: func(s *HueService) { s.Spec.Probes.Readiness.FailureThreshold = -1 }, field: "spec.probes.readiness.failureThreshold"},
		{name: "init container name", edit: func(s *HueService) {
			s.Spec.InitContainers = []InitContainer{{Name: "X", Image: "i:1", Command: []string{"a"}}}
		}, field: "spec.initContainers[0].name"},
		{name: "init container image", edit: func(s *HueService) { s.Spec.InitContainers = []InitContainer{{Name: "x", Command: []string{"a"}}} }, field: "spec.initContainers[0].image"},
		{name: "init container command", edit: func(s *HueService) { s.Spec.InitContainers = []InitContainer{{Name: "x", Image: "i:1"}} }, field: "spec.initContainers[0].command"},
		{name: "init container work dir", edit: func(s *HueService) {
			s.Spec.InitContainers = []InitContainer{{Name: "x", Image: "i:1", Command: []string{"a"}, WorkDir: "work"}}
		}, field: "spec.initContainers[0].workDir"},
		{name: "readiness gate", edit: func(s *HueService) { s.Spec.ReadinessGates = []string{"not a condition"} }, field: "spec.readinessGates[0]"},
		{name: "api access wildcard", edit: func(s *HueService) {
			s.Spec.APIAccess = []APIRule{{APIGroups: []string{""}, Resources: []string{"*"}, Verbs: []string{"get"}}}
		}, field: "spec.apiAccess[0].resources[0]", detail: "wildcards"},
		{name: "api access verbs", edit: func(s *HueService) {
			s.Spec.APIAccess = []APIRule{{APIGroups: []string{""}, Resources: []string{"pods"}}}
		}, field: "spec.apiAccess[0].verbs"},
		{name: "host access of a Deployment", edit: func(s *HueService) { s.Spec.HostAccess = true }, field: "spec.hostAccess", detail: "only a DaemonSet"},
		{name: "job spec of a Deployment", edit: func(s *HueService) { s.Spec.Job = &JobSpec{} }, field: "spec.job"},
		{name: "job completions", edit: func(s *HueService) { cronService(s); s.Spec.Job.Completions = i32(0) }, field: "spec.job.completions", detail: "between 1 and 10000"},
		{name: "job parallelism", edit: func(s *HueService) { cronService(s); s.Spec.Job.Parallelism = i32(5000) }, field: "spec.job.parallelism", detail: "between 1 and 1000"},
		{name: "job backoff", edit: func(s *HueService) { cronService(s); s.Spec.Job.BackoffLimit = i32(-1) }, field: "spec.job.backoffLimit"},
		{name: "job deadline", edit: func(s *HueService) { cronService(s); d := int64(1 << 40); s.Spec.Job.ActiveDeadlineSeconds = &d }, field: "spec.job.activeDeadlineSeconds"},
		{name: "job restart policy", edit: func(s *HueService) { cronService(s); s.Spec.Job.RestartPolicy = corev1.RestartPolicyAlways }, field: "spec.job.restartPolicy"},
		{name: "job TTL of a Job", edit: func(s *HueService) {
			cronService(s)
			s.Spec.Workload, s.Spec.Cron = Job, nil
			s.Spec.Job.TTLSecondsAfterFinished = i32(60)
		}, field: "spec.job.ttlSecondsAfterFinished", detail: "Argo CD"},
		{name: "cron missing", edit: func(s *HueService) { cronService(s); s.Spec.Cron = nil }, field: "spec.cron"},
		{name: "cron of a Deployment", edit: func(s *HueService) { s.Spec.Cron = &CronSpec{Schedule: "* * * * *"} }, field: "spec.cron"},
		{name: "cron schedule", edit: func(s *HueService) { cronService(s); s.Spec.Cron.Schedule = "0 3 * *" }, field: "spec.cron.schedule"},
		{name: "cron concurrency", edit: func(s *HueService) { cronService(s); s.Spec.Cron.ConcurrencyPolicy = "Sometimes" }, field: "spec.cron.concurrencyPolicy"},
		{name: "cron history", edit: func(s *HueService) { cronService(s); s.Spec.Cron.FailedJobsHistoryLimit = i32(1000) }, field: "spec.cron.failedJobsHistoryLimit", detail: "between 0 and 100"},
		{name: "autoscaling of a CronJob", edit: func(s *HueService) { cronService(s); s.Spec.Autoscaling = &Autoscaling{MinReplicas: 1, MaxReplicas: 2} }, field: "spec.autoscaling"},
		{name: "autoscaling bounds", edit: func(s *HueService) { s.Spec.Autoscaling = &Autoscaling{MinReplicas: 3, MaxReplicas: 2} }, field: "spec.autoscaling.maxReplicas", detail: "must be >= minReplicas"},
		{name: "autoscaling maximum", edit: func(s *HueService) { s.Spec.Autoscaling = &Autoscaling{MinReplicas: 2, MaxReplicas: 1 << 30} }, field: "spec.autoscaling.maxReplicas", detail: "between 1 and 1000"},
		{name: "autoscaling target", edit: func(s *HueService) {
			s.Spec.Autoscaling = &Autoscaling{MinReplicas: 2, MaxReplicas: 4, TargetCPUUtilization: 150}
		}, field: "spec.autoscaling.targetCPUUtilization"},
		{name: "replicas below the autoscaler's minimum", edit: func(s *HueService) {
			s.Spec.Replicas = i32(1)
			s.Spec.Autoscaling = &Autoscaling{MinReplicas: 2, MaxReplicas: 4}
		}, field: "spec.replicas", detail: "outside autoscaling's 2..4"},
		{name: "replicas default to the autoscaler's minimum", edit: func(s *HueService) { s.Spec.Autoscaling = &Autoscaling{MinReplicas: 3, MaxReplicas: 4} }},
		{name: "storage of a Deployment", edit: func(s *HueService) { s.Spec.Storage = &Storage{Size: "1Gi", MountPath: "/data"} }, field: "spec.storage", detail: "only a StatefulSet"},
		{name: "storage size negative", edit: func(s *HueService) {
			s.Spec.Workload = StatefulSet
			s.Spec.Storage = &Storage{Size: "-1Gi", MountPath: "/data"}
		}, field: "spec.storage.size", detail: "must not be negative"},
		{name: "storage size zero", edit: func(s *HueService) {
			s.Spec.Workload = StatefulSet
			s.Spec.Storage = &Storage{Size: "0", MountPath: "/data"}
		}, field: "spec.storage.size", detail: "must be > 0"},
		{name: "storage size huge", edit: func(s *HueService) {
			s.Spec.Workload = StatefulSet
			s.Spec.Storage = &Storage{Size: "1Ei", MountPath: "/data"}
		}, field: "spec.storage.size", detail: "at most 64Ti"},
		{name: "storage size missing", edit: func(s *HueService) { s.Spec.Workload = StatefulSet; s.Spec.Storage = &Storage{MountPath: "/data"} }, field: "spec.storage.size", detail: "Required value"},
		{name: "storage mount path", edit: func(s *HueService) {
			s.Spec.Workload = StatefulSet
			s.Spec.Storage = &Storage{Size: "1Gi", MountPath: "data"}
		}, field: "spec.storage.mountPath"},
		{name: "resources cpu huge", edit: func(s *HueService) { s.Spec.Resources.Requests.CPU = "100000" }, field: "spec.resources.requests.cpu", detail: "at most 256"},
		{name: "resources limit below request", edit: func(s *HueService) { s.Spec.Resources.Requests.Memory, s.Spec.Resources.Limits.Memory = "1Gi", "512Mi" }, field: "spec.resources.limits.memory"},
		{name: "resources unparsable", edit: func(s *HueService) { s.Spec.Resources.Limits.CPU = "lots" }, field: "spec.resources.limits.cpu"},
		{name: "ephemeral storage limit below its request", edit: func(s *HueService) { s.Spec.Resources.Requests.EphemeralStorage = "1Gi" }, field: "spec.resources.limits.ephemeralStorage", detail: "must be >= requests.ephemeralStorage"},
		{name: "ephemeral storage huge", edit: func(s *HueService) { s.Spec.Resources.Limits.EphemeralStorage = "2Ti" }, field: "spec.resources.limits.ephemeralStorage", detail: "at most 1Ti"},
		{name: "placement class", edit: func(s *HueService) { s.Spec.Placement.Class = "gpu-only" }, field: "spec.placement.class"},
		{name: "placement node selector", edit: func(s *HueService) { s.Spec.Placement.NodeSelector = map[string]string{"bad key": "x"} }, field: "spec.placement.nodeSelector[bad key]"},
		{name: "placement spot both ways", edit: func(s *HueService) { s.Spec.Placement.AvoidSpot, s.Spec.Placement.TolerateSpot = true, true }, field: "spec.placement.tolerateSpot"},
		{name: "talks", edit: func(s *HueService) { s.Spec.Talks = []string{"Not_A_Name"} }, field: "spec.talks[0]"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := validService()
			tt.edit(s)
			s.Default()
			assertRule(t, s.Validate(), tt.field, tt.detail)
		})
	}
}

func TestCompartmentValidate(t *testing.T) {
	for _, tt := range []rule[HueCompartment]{
		{name: "valid", edit: func(*HueCompartment) {}},
		{name: "a platform namespace", edit: func(c *HueCompartment) { c.Name = "argocd" }, field: "metadata.name", detail: "platform's own tools"},
		{name: "a kube- namespace", edit: func(c *HueCompartment) { c.Name = "kube-system" }, field: "metadata.name"},
		{name: "pod security", edit: func(c *HueCompartment) { c.Spec.PodSecurity = "open" }, field: "spec.podSecurity"},
		{name: "access group", edit: func(c *HueCompartment) { c.Spec.Access = []Access{{Role: "view"}} }, field: "spec.access[0].group"},
		{name: "access role", edit: func(c *HueCompartment) { c.Spec.Access = []Access{{Group: "g", Role: "admin"}} }, field: "spec.access[0].role"},
		{name: "privileged and read-only", edit: func(c *HueCompartment) {
			c.Spec.PodSecurity, c.Spec.Access = PodSecurityPrivileged, []Access{{Group: "g", Role: "view"}}
		}},
		{name: "privileged with a write role", edit: func(c *HueCompartment) {
			c.Spec.PodSecurity, c.Spec.Access = PodSecurityPrivileged, []Access{{Group: "g", Role: RoleOperate}}
		}, field: "spec.access[0].role", detail: "root on the node"},
		{name: "kubernetes' edit role", edit: func(c *HueCompartment) { c.Spec.Access = []Access{{Group: "g", Role: "edit"}} },
			field: "spec.access[0].role", detail: `supported values: "view", "operate"`},
		{name: "operate", edit: func(c *HueCompartment) { c.Spec.Access = []Access{{Group: "g", Role: RoleOperate}} }},
		{name: "quota huge", edit: func(c *HueCompartment) { c.Spec.Quota = &Quantities{Memory: "2Pi"} }, field: "spec.quota.memory", detail: "at most 1Pi"},
		{name: "quota negative", edit: func(c *HueCompartment) { c.Spec.Quota = &Quantities{CPU: "-4"} }, field: "spec.quota.cpu"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := &HueCompartment{}
			c.Name = "hue-apps"
			tt.edit(c)
			c.Default()
			assertRule(t, c.Validate(), tt.field, tt.detail)
		})
	}
}

func TestDataStoreValidate(t *testing.T) {
	// addr makes the first region a store reached by addresses.
	addr := func(d *HueDataStore, as ...string) {
		d.Spec.Regions[0].ExternalName, d.Spec.Regions[0].Ranges, d.Spec.Regions[0].Addresses = "", nil, as
	}
	r0 := func(d *HueDataStore) *DataStoreRegion { return &d.Spec.Regions[0] }
	for _, tt := range []rule[HueDataStore]{
		{name: "valid by name", edit: func(*HueDataStore) {}},
		{name: "valid by addresses", edit: func(d *HueDataStore) { addr(d, "10.0.0.1", "10.0.0.2") }},
		{name: "valid by addresses within ranges", edit: func(d *HueDataStore) { addr(d, "10.0.0.1"); r0(d).Ranges = []string{"10.0.0.0/24"} }},
		{name: "valid IPv6 range", edit: func(d *HueDataStore) { r0(d).Ranges = []string{"2001:db8:20::/48"} }},
		{name: "type", edit: func(d *HueDataStore) { d.Spec.Type = "spreadsheet" }, field: "spec.type"},
		{name: "port", edit: func(d *HueDataStore) { d.Spec.Port = 0 }, field: "spec.port"},
		{name: "port name", edit: func(d *HueDataStore) { d.Spec.PortName = strings.Repeat("p", 20) }, field: "spec.portName"},
		{name: "no region", edit: func(d *HueDataStore) { d.Spec.Regions = nil }, field: "spec.regions", detail: "Required value"},
		{name: "too many regions", edit: func(d *HueDataStore) {
			for i := 0; i < 64; i++ {
				d.Spec.Regions = append(d.Spec.Regions, DataStoreRegion{Residency: fmt.Sprintf("r%d", i), Addresses: []string{"10.0.0.1"}})
			}
		}, field: "spec.regions", detail: "between 1 and 64"},
		{name: "no residency", edit: func(d *HueDataStore) { r0(d).Residency = "" }, field: "spec.regions[0].residency", detail: "Required value"},
		{name: "residency twice", edit: func(d *HueDataStore) { d.Spec.Regions = append(d.Spec.Regions, d.Spec.Regions[0]) }, field: "spec.regions[1].residency", detail: "Duplicate value"},
		{name: "residency not a label", edit: func(d *HueDataStore) { r0(d).Residency = "EU_west" }, field: "spec.regions[0].residency"},
		{name: "name and addresses", edit: func(d *HueDataStore) { r0(d).Addresses = []string{"10.20.0.1"} }, field: "spec.regions[0].addresses", detail: "exclusive with externalName"},
		{name: "neither", edit: func(d *HueDataStore) { r0(d).ExternalName = "" }, field: "spec.regions[0].externalName", detail: "Required value"},
		{name: "external name", edit: func(d *HueDataStore) { r0(d).ExternalName = "db_1.example" }, field: "spec.regions[0].externalName"},
		{name: "external name without ranges", edit: func(d *HueDataStore) { r0(d).Ranges = nil }, field: "spec.regions[0].ranges", detail: "cannot be limited to a DNS name"},
		{name: "range not a CIDR", edit: func(d *HueDataStore) { r0(d).Ranges = []string{"10.0.0.1"} }, field: "spec.regions[0].ranges[0]", detail: "not a CIDR"},
		{name: "range with host bits", edit: func(d *HueDataStore) { r0(d).Ranges = []string{"10.0.0.1/24"} }, field: "spec.regions[0].ranges[0]", detail: "write 10.0.0.0/24"},
		{name: "the internet", edit: func(d *HueDataStore) { r0(d).Ranges = []string{"0.0.0.0/0"} }, field: "spec.regions[0].ranges[0]", detail: "not the internet"},
		{name: "the IPv6 internet", edit: func(d *HueDataStore) { r0(d).Ranges = []string{"::/0"} }, field: "spec.regions[0].ranges[0]", detail: "wider than /32"},
		{name: "half the internet", edit: func(d *HueDataStore) { r0(d).Ranges = []string{"128.0.0.0/1"} }, field: "spec.regions[0].ranges[0]", detail: "wider than /8"},
		{name: "loopback range", edit: func(d *HueDataStore) { r0(d).Ranges = []string{"127.0.0.0/8"} }, field: "spec.regions[0].ranges[0]", detail: "loopback"},
		{name: "metadata range", edit: func(d *HueDataStore) { r0(d).Ranges = []string{"100.100.100.0/24"} }, field: "spec.regions[0].ranges[0]", detail: "metadata"},
		{name: "link-local range", edit: func(d *HueDataStore) { r0(d).Ranges = []string{"169.254.0.0/16"} }, field: "spec.regions[0].ranges[0]", detail: "link-local"},
		{name: "too many ranges", edit: func(d *HueDataStore) {
			for i := 0; i < 64; i++ {
				r0(d).Ranges = append(r0(d).Ranges, fmt.Sprintf("10.%d.0.0/16", i))
			}
		}, field: "spec.regions[0].ranges", detail: "between 0 and 64"},
		{name: "address outside the ranges", edit: func(d *HueDataStore) { addr(d, "10.0.1.1"); r0(d).Ranges = []string{"10.0.0.0/24"} }, field: "spec.regions[0].addresses[0]", detail: "outside the region's ranges"},
		{name: "not an address", edit: func(d *HueDataStore) { addr(d, "db.example") }, field: "spec.regions[0].addresses[0]", detail: "not an IP address"},
		{name: "two families", edit: func(d *HueDataStore) { addr(d, "10.0.0.1", "fd00::1") }, field: "spec.regions[0].addresses[1]", detail: "one family"},
		{name: "multicast", edit: func(d *HueDataStore) { addr(d, "224.0.0.251") }, field: "spec.regions[0].addresses[0]", detail: "multicast"},
		{name: "broadcast", edit: func(d *HueDataStore) { addr(d, "255.255.255.255") }, field: "spec.regions[0].addresses[0]"},
		{name: "cloud metadata", edit: func(d *HueDataStore) { addr(d, "fd00:ec2::254") }, field: "spec.regions[0].addresses[0]", detail: "metadata"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := &HueDataStore{}
			d.Name = "db"
			d.Spec = HueDataStoreSpec{Type: DataStoreTypes[0], Port: 5432,
				Regions: []DataStoreRegion{{Residency: "eu", ExternalName: "db.data.hue.internal", Ranges: []string{"10.20.0.0/24"}}}}
			tt.edit(d)
			d.Default()
			assertRule(t, d.Validate(), tt.field, tt.detail)
		})
	}
}

// A region's egress is its ranges, or each of its addresses alone.
func TestDataStoreRegionEgress(t *testing.T) {
	by := DataStoreRegion{Addresses: []string{"10.0.0.1", "10.0.0.2"}}
	assert.Equal(t, []string{"10.0.0.1/32", "10.0.0.2/32"}, by.Egress())
	v6 := DataStoreRegion{Addresses: []string{"fd00::7"}}
	assert.Equal(t, []string{"fd00::7/128"}, v6.Egress())
	within := DataStoreRegion{Addresses: []string{"10.0.0.1"}, Ranges: []string{"10.0.0.0/24"}}
	assert.Equal(t, []string{"10.0.0.0/24"}, within.Egress())
}
