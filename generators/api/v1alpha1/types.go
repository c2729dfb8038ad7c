// Package v1alpha1 holds the typed specs of the Hue platform (group platform.hue.dev):
// the hand-edited inputs that the generators expand into plain kustomize.
package v1alpha1

import (
	"slices"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

const (
	Group      = "platform.hue.dev"
	Version    = "v1alpha1"
	APIVersion = Group + "/" + Version

	KindService     = "HueService"
	KindCompartment = "HueCompartment"
	KindDataStore   = "HueDataStore"
	KindCluster     = "HueCluster"
	KindFleet       = "HueFleet"
	KindRegistry    = "HueClusterRegistry"
	KindCheck       = "HueCheck"
)

// WorkloadKind is the Kubernetes controller a HueService becomes.
type WorkloadKind string

const (
	Deployment  WorkloadKind = "Deployment"
	StatefulSet WorkloadKind = "StatefulSet"
	DaemonSet   WorkloadKind = "DaemonSet"
	Job         WorkloadKind = "Job"
	CronJob     WorkloadKind = "CronJob"
)

// HueService describes one Hue microservice, batch job or node agent.
type HueService struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              HueServiceSpec `json:"spec"`
}

type HueServiceSpec struct {
	// Workload is the controller kind: Deployment, StatefulSet, DaemonSet, Job or CronJob.
	Workload WorkloadKind `json:"workload"`
	// Compartment is the HueCompartment (namespace) the service lives in; default "hue".
	Compartment string `json:"compartment,omitempty"`
	// Tier is the value of the tier label (internal-service, external-service, data, stats, batch...).
	Tier string `json:"tier,omitempty"`
	// Description is a one-line summary, kept as an annotation.
	Description string `json:"description,omitempty"`

	Image   string   `json:"image"`
	Command []string `json:"command,omitempty"`
	Args    []string `json:"args,omitempty"`
	// Replicas for Deployment and StatefulSet; default 2.
	Replicas  *int32    `json:"replicas,omitempty"`
	Ports     []Port    `json:"ports,omitempty"`
	Env       []EnvVar  `json:"env,omitempty"`
	Resources Resources `json:"resources,omitempty"`
	Probes    Probes    `json:"probes,omitempty"`

	InitContainers []InitContainer `json:"initContainers,omitempty"`
	// ReadinessGates are extra pod condition types that must be True before the pod is ready.
	ReadinessGates []string `json:"readinessGates,omitempty"`

	// APIAccess grants the service's ServiceAccount these rules in its namespace and mounts a
	// short-lived projected token; without it the pod gets no token at all.
	APIAccess []APIRule `json:"apiAccess,omitempty"`
	// HostAccess asks for hostNetwork, hostPID and hostIPC; only a DaemonSet of the host-access
	// allow-list (policies/lib/host_access.yaml) may have it, which the catalog checks.
	HostAccess bool `json:"hostAccess,omitempty"`

	// Connector marks an external-service connector; Paused scales it to zero.
	Connector *Connector `json:"connector,omitempty"`
	Job       *JobSpec   `json:"job,omitempty"`
	Cron      *CronSpec  `json:"cron,omitempty"`
	// Autoscaling adds a HorizontalPodAutoscaler (Deployment and StatefulSet only).
	Autoscaling *Autoscaling `json:"autoscaling,omitempty"`
	// Storage adds a volumeClaimTemplate (StatefulSet only).
	Storage *Storage `json:"storage,omitempty"`

	// Talks lists the services and data stores this one calls: NetworkPolicy egress and
	// the peers' ingress allows are derived from it.
	Talks []string `json:"talks,omitempty"`
	// Exposed names the port that is reachable from outside the cluster (Ingress or NodePort).
	Exposed string `json:"exposed,omitempty"`

	Placement Placement `json:"placement,omitempty"`
}

type APIRule struct {
	APIGroups []string `json:"apiGroups"`
	Resources []string `json:"resources"`
	Verbs     []string `json:"verbs"`
}

type Port struct {
	Name     string          `json:"name"`
	Port     int32           `json:"port"`
	Protocol corev1.Protocol `json:"protocol,omitempty"`
}

type EnvVar struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type Resources struct {
	Requests ContainerQuantities `json:"requests,omitempty"`
	Limits   ContainerQuantities `json:"limits,omitempty"`
}

// ContainerQuantities are what one container requests or is limited to.
type ContainerQuantities struct {
	CPU    string `json:"cpu,omitempty"`
	Memory string `json:"memory,omitempty"`
	// EphemeralStorage bounds the container's writable layer and logs, so that one container
	// cannot fill a small node's disk and have its neighbours evicted.
	EphemeralStorage string `json:"ephemeralStorage,omitempty"`
}

type Quantities struct {
	CPU    string `json:"cpu,omitempty"`
	Memory string `json:"memory,omitempty"`
}

type Probes struct {
	Liveness  *Probe `json:"liveness,omitempty"`
	Readiness *Probe `json:"readiness,omitempty"`
	Startup   *Probe `json:"startup,omitempty"`
}

// Probe is one of httpGet (path, port, headers), tcpSocket (port), exec (command) or grpc (port).
type Probe struct {
	HTTPGet   *HTTPGetProbe `json:"httpGet,omitempty"`
	TCPSocket *PortProbe    `json:"tcpSocket,omitempty"`
	Exec      *ExecProbe    `json:"exec,omitempty"`
	GRPC      *PortProbe    `json:"grpc,omitempty"`

	InitialDelaySeconds int32 `json:"initialDelaySeconds,omitempty"`
	TimeoutSeconds      int32 `json:"timeoutSeconds,omitempty"`
	PeriodSeconds       int32 `json:"periodSeconds,omitempty"`
	FailureThreshold    int32 `json:"failureThreshold,omitempty"`
}

type HTTPGetProbe struct {
	Path    string           `json:"path"`
	Port    int32            `json:"port"`
	Headers []HTTPHeader     `json:"headers,omitempty"`
	Scheme  corev1.URIScheme `json:"scheme,omitempty"`
}

type HTTPHeader struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type PortProbe struct {
	Port int32 `json:"port"`
}

type ExecProbe struct {
	Command []string `json:"command"`
}

type InitContainer struct {
	Name    string   `json:"name"`
	Image   string   `json:"image"`
	Command []string `json:"command"`
	// WorkDir shares an emptyDir mounted at this path with the main container.
	WorkDir string `json:"workDir,omitempty"`
}

type Connector struct {
	// Provider is the external service the connector talks to (calendar, mail, ...).
	Provider string `json:"provider"`
	Paused   bool   `json:"paused,omitempty"`
}

type JobSpec struct {
	Completions  *int32 `json:"completions,omitempty"`
	Parallelism  *int32 `json:"parallelism,omitempty"`
	BackoffLimit *int32 `json:"backoffLimit,omitempty"`
	// RestartPolicy is Never or OnFailure (default OnFailure).
	RestartPolicy corev1.RestartPolicy `json:"restartPolicy,omitempty"`
	// ActiveDeadlineSeconds bounds a run; default one hour.
	ActiveDeadlineSeconds *int64 `json:"activeDeadlineSeconds,omitempty"`
	// TTLSecondsAfterFinished cleans finished Jobs of a CronJob up; default one day. A Job
	// workload takes none: Argo CD would re-create it after the TTL deleted it.
	TTLSecondsAfterFinished *int32 `json:"ttlSecondsAfterFinished,omitempty"`
}

type CronSpec struct {
	Schedule                   string `json:"schedule"`
	TimeZone                   string `json:"timeZone,omitempty"`
	Suspend                    bool   `json:"suspend,omitempty"`
	ConcurrencyPolicy          string `json:"concurrencyPolicy,omitempty"`
	SuccessfulJobsHistoryLimit *int32 `json:"successfulJobsHistoryLimit,omitempty"`
	FailedJobsHistoryLimit     *int32 `json:"failedJobsHistoryLimit,omitempty"`
}

type Autoscaling struct {
	MinReplicas int32 `json:"minReplicas"`
	MaxReplicas int32 `json:"maxReplicas"`
	// TargetCPUUtilization in percent of requests; default 75.
	TargetCPUUtilization int32 `json:"targetCPUUtilization,omitempty"`
}

type Storage struct {
	Size      string `json:"size"`
	MountPath string `json:"mountPath"`
}

// Placement says where the pods may run, in terms every cluster's node pools understand.
type Placement struct {
	// Class is the node-pool class the workload prefers: general (default), batch,
	// restricted. A cluster with a dedicated pool of that class gets the tolerations and
	// affinity for it from the matching component; a cluster without one runs it on general.
	Class string `json:"class,omitempty"`
	// NodeSelector is added to the pod as is; every cluster running the service needs a pool
	// carrying these labels.
	NodeSelector map[string]string `json:"nodeSelector,omitempty"`
	// AvoidSpot adds required node anti-affinity against spot capacity.
	AvoidSpot bool `json:"avoidSpot,omitempty"`
	// CoLocateWith adds a preferred pod affinity (same zone) to pods with this service label.
	CoLocateWith string `json:"coLocateWith,omitempty"`
	// TolerateSpot lets the workload use spot pools (a PreferNoSchedule taint).
	TolerateSpot bool `json:"tolerateSpot,omitempty"`
}

// HueCompartment is a domain namespace with its Pod Security level, RBAC and network boundary.
type HueCompartment struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              HueCompartmentSpec `json:"spec"`
}

type HueCompartmentSpec struct {
	// PodSecurity is the enforced Pod Security Standard: restricted (default), baseline or privileged.
	PodSecurity string `json:"podSecurity,omitempty"`
	// Sensitive compartments (finance, medical) are never deployed to school clusters.
	Sensitive bool `json:"sensitive,omitempty"`
	// Access grants groups a role in the namespace only.
	Access []Access `json:"access,omitempty"`
	// ResourceQuota caps the compartment's summed requests.
	Quota *Quantities `json:"quota,omitempty"`
}

type Access struct {
	Group string `json:"group"`
	// Role is view (read, no Secrets) or operate (view, and delete or evict pods: the one write
	// a human needs where Argo CD owns every object).
	Role string `json:"role"`
}

// HueDataStore is a data service living outside the cluster, served in each data residency
// by endpoints of its own, and reached through an ExternalName Service (by DNS name) or a
// selector-less Service with an EndpointSlice (by addresses).
type HueDataStore struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              HueDataStoreSpec `json:"spec"`
}

type HueDataStoreSpec struct {
	// Type is relational, graph, timeseries, cache, blob or queue.
	Type        string `json:"type"`
	Compartment string `json:"compartment,omitempty"`
	Port        int32  `json:"port"`
	PortName    string `json:"portName,omitempty"`
	// Regions are the store's endpoints, one entry per data residency: a cluster reaches the
	// entry of its own spec.dataResidency and no other.
	Regions []DataStoreRegion `json:"regions"`
}

// DataStoreRegion is where a store is served for one data residency.
type DataStoreRegion struct {
	// Residency is a cluster's spec.dataResidency (eu, us, ...).
	Residency string `json:"residency"`
	// ExternalName is a DNS name; exclusive with Addresses.
	ExternalName string `json:"externalName,omitempty"`
	// Addresses are IPv4 or IPv6 endpoints; exclusive with ExternalName.
	Addresses []string `json:"addresses,omitempty"`
	// Ranges are the networks (CIDR) the store's endpoints live in, the only destinations its
	// clients' egress allows. Required with externalName (a NetworkPolicy cannot name a DNS
	// name); by default the addresses themselves.
	Ranges []string `json:"ranges,omitempty"`
}

// RegionIndex returns the index of the store's entry for a residency, or -1.
func (d *HueDataStore) RegionIndex(residency string) int {
	return slices.IndexFunc(d.Spec.Regions, func(r DataStoreRegion) bool { return r.Residency == residency })
}

// Region returns the store's entry for a residency, or nil.
func (d *HueDataStore) Region(residency string) *DataStoreRegion {
	if k := d.RegionIndex(residency); k >= 0 {
		return &d.Spec.Regions[k]
	}
	return nil
}
