package v1alpha1

import (
	"net"
	"net/url"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Fleet names.
const (
	FleetEnterprise = "enterprise"
	FleetScience    = "science"
	FleetSchool     = "school"
)

// Exposure modes of a cluster's external services.
const (
	ExposureIngress  = "Ingress"
	ExposureNodePort = "NodePort"
)

// Pool label keys that the placement components and the scheduling check agree on.
const (
	LabelPool      = "hue.dev/pool"
	LabelPoolClass = "hue.dev/pool-class"
	LabelSpot      = "hue.dev/spot"
	TaintDedicated = "hue.dev/dedicated"
	TaintSpot      = "hue.dev/spot"
)

// HueFleet carries the defaults shared by every cluster of one fleet, so that a cluster file
// states only what differs.
type HueFleet struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              HueFleetSpec `json:"spec"`
}

type HueFleetSpec struct {
	// Rings, in rollout order (canary first); school fleets only.
	Rings []string `json:"rings,omitempty"`
	// Defaults fill every field a cluster of this fleet leaves empty.
	Defaults HueClusterSpec `json:"defaults"`
}

// HueCluster is one Kubernetes cluster of a fleet.
type HueCluster struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              HueClusterSpec `json:"spec"`
}

type HueClusterSpec struct {
	Fleet       string `json:"fleet,omitempty"`
	Environment string `json:"environment,omitempty"`
	Region      string `json:"region,omitempty"`
	// DataResidency is the jurisdiction the cluster's data must stay in (eu, us, ...).
	DataResidency string `json:"dataResidency,omitempty"`
	// Ring is the rollout ring of a school cluster (one of its fleet's rings).
	Ring string `json:"ring,omitempty"`
	// BareMetal clusters expose services by NodePort from an allow-list; others by Ingress.
	BareMetal *bool `json:"bareMetal,omitempty"`

	NodePools []NodePool `json:"nodePools,omitempty"`
	// Services enabled on the cluster, by HueService name.
	Services []string `json:"services,omitempty"`
	// Overrides per service name.
	Overrides map[string]ServiceOverride `json:"overrides,omitempty"`
	Ingress   *IngressSpec               `json:"ingress,omitempty"`
	// Tenants turns a cluster into a shared one with a namespace per tenant (per school).
	Tenants     []string     `json:"tenants,omitempty"`
	Destination *Destination `json:"destination,omitempty"`
	// HighAvailability adds PDBs, pod anti-affinity and zone spreading.
	HighAvailability *bool `json:"highAvailability,omitempty"`
}

type NodePool struct {
	Name   string            `json:"name"`
	Labels map[string]string `json:"labels,omitempty"`
	Taints []corev1.Taint    `json:"taints,omitempty"`
	// Capacity of one node.
	Capacity Quantities `json:"capacity"`
	Count    int32      `json:"count"`
	Zones    []string   `json:"zones,omitempty"`
}

type ServiceOverride struct {
	Replicas *int32 `json:"replicas,omitempty"`
	// Tag replaces the image tag.
	Tag    string `json:"tag,omitempty"`
	Paused *bool  `json:"paused,omitempty"`
}

type IngressSpec struct {
	Domain string `json:"domain,omitempty"`
	// Exposure is Ingress (TLS) or NodePort; bare-metal clusters default to NodePort.
	Exposure string `json:"exposure,omitempty"`
	// NodePorts is the allow-list: service name to node port.
	NodePorts map[string]int32 `json:"nodePorts,omitempty"`
	// TLSSecret names the certificate Secrets: each Ingress (one host) has its own,
	// <tlsSecret>-<service>.
	TLSSecret string `json:"tlsSecret,omitempty"`
	// ClassName is the IngressClass.
	ClassName string `json:"className,omitempty"`
}

// HueClusterRegistry declares which API server each destination name stands for, as the
// management Argo CD's cluster Secrets say (their credentials never live here): with it, a
// cluster deployed by name and one deployed by server URL are known to be the same cluster.
type HueClusterRegistry struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              HueClusterRegistrySpec `json:"spec"`
}

type HueClusterRegistrySpec struct {
	Clusters []RegisteredCluster `json:"clusters"`
}

// RegisteredCluster is one cluster Secret of the management Argo CD: its name and server.
type RegisteredCluster struct {
	Name   string `json:"name"`
	Server string `json:"server"`
}

// Destination is where Argo CD deploys the cluster's overlay.
type Destination struct {
	Server string `json:"server,omitempty"`
	Name   string `json:"name,omitempty"`
}

// DestinationKey is a destination's identity: a server URL with scheme and host in lower case,
// without the scheme's default port and without a trailing slash (so two spellings of one API
// server are one destination), or a cluster name.
func DestinationKey(d *Destination) string {
	if d.Server == "" {
		return "name " + d.Name
	}
	u, err := url.Parse(strings.TrimSpace(d.Server))
	if err != nil || u.Host == "" {
		return "server " + strings.TrimRight(d.Server, "/")
	}
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (u.Scheme == "https" && port == "443") || (u.Scheme == "http" && port == "80") {
		port = ""
	}
	if port != "" {
		host = net.JoinHostPort(host, port)
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return "server " + u.Scheme + "://" + host + strings.TrimRight(u.EscapedPath(), "/")
}

// NodePorts reports whether a cluster exposes services by NodePort.
func (c *HueCluster) NodePorts() bool {
	return c.Spec.Ingress != nil && c.Spec.Ingress.Exposure == ExposureNodePort
}
