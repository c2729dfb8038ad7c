package v1alpha1

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func validCluster() *HueCluster {
	c := &HueCluster{}
	c.Name = "onprem-x"
	c.Spec = HueClusterSpec{
		Fleet: FleetEnterprise, Environment: "production", Region: "eu-west", DataResidency: "eu",
		Services:    []string{"music"},
		Destination: &Destination{Server: "https://k8s.x.hue.internal:6443"},
		Ingress:     &IngressSpec{Domain: "x.hue.example"},
		NodePools: []NodePool{{Name: "general", Labels: map[string]string{LabelPoolClass: "general"},
			Capacity: Quantities{CPU: "4", Memory: "16Gi"}, Count: 3}},
	}
	return c
}

func TestClusterValidate(t *testing.T) {
	i32 := func(v int32) *int32 { return &v }
	bareMetal := func(c *HueCluster) {
		t := true
		c.Spec.BareMetal = &t
		c.Spec.Ingress = &IngressSpec{Exposure: ExposureNodePort}
	}
	for _, tt := range []rule[HueCluster]{
		{name: "valid", edit: func(*HueCluster) {}},
		{name: "fleet", edit: func(c *HueCluster) { c.Spec.Fleet = "moon" }, field: "spec.fleet"},
		{name: "environment", edit: func(c *HueCluster) { c.Spec.Environment = "qa" }, field: "spec.environment"},
		{name: "region missing", edit: func(c *HueCluster) { c.Spec.Region = "" }, field: "spec.region"},
		{name: "region", edit: func(c *HueCluster) { c.Spec.Region = "EU West" }, field: "spec.region"},
		{name: "data residency", edit: func(c *HueCluster) { c.Spec.DataResidency = "" }, field: "spec.dataResidency"},
		{name: "ring of a school", edit: func(c *HueCluster) { c.Spec.Fleet = FleetSchool }, field: "spec.ring", detail: "by ring"},
		{name: "ring of an enterprise cluster", edit: func(c *HueCluster) { c.Spec.Ring = "canary" }, field: "spec.ring", detail: "only school clusters"},
		{name: "no services", edit: func(c *HueCluster) { c.Spec.Services = nil }, field: "spec.services"},
		{name: "service twice", edit: func(c *HueCluster) { c.Spec.Services = []string{"music", "music"} }, field: "spec.services[1]"},
		{name: "override of a service not run", edit: func(c *HueCluster) { c.Spec.Overrides = map[string]ServiceOverride{"fitness": {}} }, field: "spec.overrides[fitness]"},
		{name: "override replicas", edit: func(c *HueCluster) { c.Spec.Overrides = map[string]ServiceOverride{"music": {Replicas: i32(5000)}} }, field: "spec.overrides[music].replicas", detail: "between 0 and 1000"},
		{name: "override latest", edit: func(c *HueCluster) { c.Spec.Overrides = map[string]ServiceOverride{"music": {Tag: "latest"}} }, field: "spec.overrides[music].tag"},
		{name: "override tag", edit: func(c *HueCluster) { c.Spec.Overrides = map[string]ServiceOverride{"music": {Tag: "1.0/rc"}} }, field: "spec.overrides[music].tag"},
		{name: "ingress domain missing", edit: func(c *HueCluster) { c.Spec.Ingress.Domain = "" }, field: "spec.ingress.domain"},
		{name: "ingress domain", edit: func(c *HueCluster) { c.Spec.Ingress.Domain = "X_Y.example" }, field: "spec.ingress.domain"},
		{name: "ingress TLS secret", edit: func(c *HueCluster) { c.Spec.Ingress.TLSSecret = "Hue_TLS" }, field: "spec.ingress.tlsSecret"},
		{name: "ingress class", edit: func(c *HueCluster) { c.Spec.Ingress.ClassName = "Nginx Public" }, field: "spec.ingress.className"},
		{name: "node ports with ingress", edit: func(c *HueCluster) { c.Spec.Ingress.NodePorts = map[string]int32{"music": 30080} }, field: "spec.ingress.nodePorts"},
		{name: "node port exposure off bare metal", edit: func(c *HueCluster) { c.Spec.Ingress = &IngressSpec{Exposure: ExposureNodePort} }, field: "spec.ingress.exposure", detail: "bare-metal"},
		{name: "node port range", edit: func(c *HueCluster) { bareMetal(c); c.Spec.Ingress.NodePorts = map[string]int32{"music": 8080} }, field: "spec.ingress.nodePorts[music]", detail: "between 30000 and 32767"},
		{name: "node port of a service not run", edit: func(c *HueCluster) { bareMetal(c); c.Spec.Ingress.NodePorts = map[string]int32{"fitness": 30080} }, field: "spec.ingress.nodePorts[fitness]"},
		{name: "exposure", edit: func(c *HueCluster) { c.Spec.Ingress.Exposure = "LoadBalancer" }, field: "spec.ingress.exposure"},
		{name: "tenants off the school fleet", edit: func(c *HueCluster) { c.Spec.Tenants = []string{"ashford"} }, field: "spec.tenants"},
		{name: "tenant name", edit: func(c *HueCluster) {
			c.Spec.Fleet, c.Spec.Ring, c.Spec.Tenants = FleetSchool, "canary", []string{"Ashford"}
		}, field: "spec.tenants[0]"},
		{name: "tenant whose namespace is too long", edit: func(c *HueCluster) {
			c.Spec.Fleet, c.Spec.Ring, c.Spec.Tenants = FleetSchool, "canary", []string{strings.Repeat("a", 61)}
		}, field: "spec.tenants[0]", detail: "its namespace hue-aaa"},
		{name: "tenant twice", edit: func(c *HueCluster) {
			c.Spec.Fleet, c.Spec.Ring, c.Spec.Tenants = FleetSchool, "canary", []string{"a", "a"}
		}, field: "spec.tenants[1]"},
		{name: "destination missing", edit: func(c *HueCluster) { c.Spec.Destination = &Destination{} }, field: "spec.destination"},
		{name: "destination both", edit: func(c *HueCluster) { c.Spec.Destination.Name = "x" }, field: "spec.destination.name"},
		{name: "destination http", edit: func(c *HueCluster) { c.Spec.Destination.Server = "http://k8s.x:6443" }, field: "spec.destination.server"},
		{name: "no pools", edit: func(c *HueCluster) { c.Spec.NodePools = nil }, field: "spec.nodePools"},
		{name: "pool name", edit: func(c *HueCluster) { c.Spec.NodePools[0].Name = "General" }, field: "spec.nodePools[0].name"},
		{name: "pool twice", edit: func(c *HueCluster) { c.Spec.NodePools = append(c.Spec.NodePools, c.Spec.NodePools[0]) }, field: "spec.nodePools[1].name"},
		{name: "pool count", edit: func(c *HueCluster) { c.Spec.NodePools[0].Count = 2147483647 }, field: "spec.nodePools[0].count", detail: "between 1 and 5000"},
		{name: "pool count zero", edit: func(c *HueCluster) { c.Spec.NodePools[0].Count = 0 }, field: "spec.nodePools[0].count"},
		{name: "pool cpu zero", edit: func(c *HueCluster) { c.Spec.NodePools[0].Capacity.CPU = "0" }, field: "spec.nodePools[0].capacity.cpu", detail: "must be > 0"},
		{name: "pool memory huge", edit: func(c *HueCluster) { c.Spec.NodePools[0].Capacity.Memory = "1Ei" }, field: "spec.nodePools[0].capacity.memory", detail: "at most 64Ti"},
		{name: "pool label", edit: func(c *HueCluster) { c.Spec.NodePools[0].Labels["hue.dev/x"] = "-bad-" }, field: "spec.nodePools[0].labels[hue.dev/x]"},
		{name: "taint key", edit: func(c *HueCluster) {
			c.Spec.NodePools = append(c.Spec.NodePools, NodePool{Name: "b", Capacity: Quantities{CPU: "1", Memory: "1Gi"}, Count: 1,
				Taints: []corev1.Taint{{Key: "bad key", Effect: corev1.TaintEffectNoSchedule}}})
		}, field: "spec.nodePools[1].taints[0].key"},
		{name: "taint effect", edit: func(c *HueCluster) {
			c.Spec.NodePools = append(c.Spec.NodePools, NodePool{Name: "b", Capacity: Quantities{CPU: "1", Memory: "1Gi"}, Count: 1,
				Taints: []corev1.Taint{{Key: "k", Effect: "Never"}}})
		}, field: "spec.nodePools[1].taints[0].effect"},
		{name: "no general pool", edit: func(c *HueCluster) { c.Spec.NodePools[0].Labels = nil }, field: "spec.nodePools", detail: "untainted pool"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := validCluster()
			tt.edit(c)
			c.Default()
			assertRule(t, c.Validate(), tt.field, tt.detail)
		})
	}
}

func TestFleetValidate(t *testing.T) {
	for _, tt := range []rule[HueFleet]{
		{name: "valid", edit: func(*HueFleet) {}},
		{name: "name", edit: func(f *HueFleet) { f.Name = "moon" }, field: "metadata.name"},
		{name: "ring name", edit: func(f *HueFleet) { f.Spec.Rings = []string{"Canary"} }, field: "spec.rings[0]"},
		{name: "ring twice", edit: func(f *HueFleet) { f.Spec.Rings = []string{"canary", "canary"} }, field: "spec.rings[1]"},
		{name: "defaults of another fleet", edit: func(f *HueFleet) { f.Spec.Defaults.Fleet = FleetScience }, field: "spec.defaults.fleet"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := &HueFleet{}
			f.Name = FleetSchool
			f.Spec.Rings = []string{"canary", "stable"}
			tt.edit(f)
			f.Default()
			assertRule(t, f.Validate(), tt.field, tt.detail)
		})
	}
}
