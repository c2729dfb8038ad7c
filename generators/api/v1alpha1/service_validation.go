package v1alpha1

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/hue-platform/hue-gitops/generators/layout"
	"github.com/robfig/cron/v3"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// DefaultCompartment is where a service lives unless it says otherwise.
const DefaultCompartment = "hue"

func ptr[T any](v T) *T { return &v }

// Default fills the optional fields a spec leaves empty.
func (s *HueService) Default() {
	sp := &s.Spec
	if sp.Compartment == "" {
		sp.Compartment = DefaultCompartment
	}
	if sp.Tier == "" {
		switch sp.Workload {
		case Job, CronJob:
			sp.Tier = "batch"
		default:
			sp.Tier = "internal-service"
		}
	}
	if sp.Replicas == nil && (sp.Workload == Deployment || sp.Workload == StatefulSet) {
		sp.Replicas = ptr(int32(2))
		if a := sp.Autoscaling; a != nil && a.MinReplicas > 2 {
			sp.Replicas = ptr(a.MinReplicas) // where the autoscaler would take it at once
		}
	}
	for i := range sp.Ports {
		if sp.Ports[i].Protocol == "" {
			sp.Ports[i].Protocol = corev1.ProtocolTCP
		}
	}
	if sp.Resources.Requests.CPU == "" {
		sp.Resources.Requests.CPU = "100m"
	}
	if sp.Resources.Requests.Memory == "" {
		sp.Resources.Requests.Memory = "128Mi"
	}
	if sp.Resources.Limits.CPU == "" {
		sp.Resources.Limits.CPU = "500m"
	}
	if sp.Resources.Limits.Memory == "" {
		sp.Resources.Limits.Memory = sp.Resources.Requests.Memory
	}
	if sp.Resources.Requests.EphemeralStorage == "" {
		sp.Resources.Requests.EphemeralStorage = DefaultEphemeralRequest
	}
	if sp.Resources.Limits.EphemeralStorage == "" {
		sp.Resources.Limits.EphemeralStorage = DefaultEphemeralLimit
	}
	if sp.Workload == Job || sp.Workload == CronJob {
		if sp.Job == nil {
			sp.Job = &JobSpec{}
		}
		j := sp.Job
		if j.RestartPolicy == "" {
			j.RestartPolicy = corev1.RestartPolicyOnFailure
		}
		if j.BackoffLimit == nil {
			j.BackoffLimit = ptr(int32(3))
		}
		if j.ActiveDeadlineSeconds == nil {
			j.ActiveDeadlineSeconds = ptr(int64(3600))
		}
		// Only a CronJob's Jobs (made by the controller, never in git) are cleaned up by a TTL.
		if j.TTLSecondsAfterFinished == nil && sp.Workload == CronJob {
			j.TTLSecondsAfterFinished = ptr(int32(86400))
		}
	}
	if c := sp.Cron; c != nil {
		if c.ConcurrencyPolicy == "" {
			c.ConcurrencyPolicy = "Forbid"
		}
		if c.SuccessfulJobsHistoryLimit == nil {
			c.SuccessfulJobsHistoryLimit = ptr(int32(3))
		}
		if c.FailedJobsHistoryLimit == nil {
			c.FailedJobsHistoryLimit = ptr(int32(1))
		}
	}
	if a := sp.Autoscaling; a != nil && a.TargetCPUUtilization == 0 {
		a.TargetCPUUtilization = 75
	}
	if sp.Placement.Class == "" {
		sp.Placement.Class = "general"
	}
}

// PlacementClasses are the node-pool classes a service may ask for.
var PlacementClasses = []string{"general", "batch", "restricted"}

// Validate checks one service on its own; cross-service rules live in Catalog.Validate.
func (s *HueService) Validate() field.ErrorList {
	var errs field.ErrorList
	errs = append(errs, validateName(s.Name)...)
	if contains(layout.CatalogFolders, s.Name) {
		errs = append(errs, field.Invalid(field.NewPath("metadata", "name"), s.Name,
			fmt.Sprintf("base/%s/ holds the catalog's generated %s; name the service otherwise", s.Name, s.Name)))
	}
	sp := &s.Spec
	spec := field.NewPath("spec")

	switch sp.Workload {
	case Deployment, StatefulSet, DaemonSet, Job, CronJob:
	case "":
		errs = append(errs, field.Required(spec.Child("workload"), "one of Deployment, StatefulSet, DaemonSet, Job, CronJob"))
	default:
		errs = append(errs, field.NotSupported(spec.Child("workload"), sp.Workload,
			[]WorkloadKind{Deployment, StatefulSet, DaemonSet, Job, CronJob}))
	}
	for _, msg := range validation.IsDNS1123Label(sp.Compartment) {
		errs = append(errs, field.Invalid(spec.Child("compartment"), sp.Compartment, msg))
	}
	if sp.Image == "" {
		errs = append(errs, field.Required(spec.Child("image"), "a container image reference"))
	} else if err := validateImage(sp.Image); err != "" {
		errs = append(errs, field.Invalid(spec.Child("image"), sp.Image, err))
	}
	if sp.Replicas != nil {
		errs = append(errs, ReplicasSpan.checkPtr(spec.Child("replicas"), sp.Replicas)...)
		if sp.Workload != Deployment && sp.Workload != StatefulSet {
			errs = append(errs, field.Forbidden(spec.Child("replicas"), "only Deployment and StatefulSet have replicas"))
		}
	}

	ports := map[int32]bool{}
	portNames := map[string]bool{}
	for i, p := range sp.Ports {
		pp := spec.Child("ports").Index(i)
		for _, msg := range validation.IsValidPortName(p.Name) {
			errs = append(errs, field.Invalid(pp.Child("name"), p.Name, msg))
		}
		for _, msg := range validation.IsValidPortNum(int(p.Port)) {
			errs = append(errs, field.Invalid(pp.Child("port"), p.Port, msg))
		}
		if ports[p.Port] {
			errs = append(errs, field.Duplicate(pp.Child("port"), p.Port))
		}
		if portNames[p.Name] {
			errs = append(errs, field.Duplicate(pp.Child("name"), p.Name))
		}
		switch p.Protocol {
		case corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP:
		default:
			errs = append(errs, field.NotSupported(pp.Child("protocol"), p.Protocol, []corev1.Protocol{corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP}))
		}
		ports[p.Port] = true
		portNames[p.Name] = true
	}
	envNames := map[string]bool{}
	for i, e := range sp.Env {
		ep := spec.Child("env").Index(i).Child("name")
		for _, msg := range validation.IsEnvVarName(e.Name) {
			errs = append(errs, field.Invalid(ep, e.Name, msg))
		}
		if envNames[e.Name] {
			errs = append(errs, field.Duplicate(ep, e.Name))
		}
		envNames[e.Name] = true
	}
	errs = append(errs, validateResources(spec.Child("resources"), sp.Resources)...)

	probes := spec.Child("probes")
	errs = append(errs, validateProbe(probes.Child("liveness"), sp.Probes.Liveness, ports)...)
	errs = append(errs, validateProbe(probes.Child("readiness"), sp.Probes.Readiness, ports)...)
	errs = append(errs, validateProbe(probes.Child("startup"), sp.Probes.Startup, ports)...)
	if sp.Workload == Deployment || sp.Workload == StatefulSet || sp.Workload == DaemonSet {
		if sp.Probes.Liveness == nil {
			errs = append(errs, field.Required(probes.Child("liveness"), "long-running workloads need a liveness probe"))
		}
		if sp.Probes.Readiness == nil {
			errs = append(errs, field.Required(probes.Child("readiness"), "long-running workloads need a readiness probe"))
		}
	}

	initNames := map[string]bool{}
	for i, ic := range sp.InitContainers {
		ip := spec.Child("initContainers").Index(i)
		for _, msg := range validation.IsDNS1123Label(ic.Name) {
			errs = append(errs, field.Invalid(ip.Child("name"), ic.Name, msg))
		}
		if ic.Name == s.Name || initNames[ic.Name] {
			errs = append(errs, field.Duplicate(ip.Child("name"), ic.Name))
		}
		initNames[ic.Name] = true
		if ic.Image == "" {
			errs = append(errs, field.Required(ip.Child("image"), ""))
		} else if msg := validateImage(ic.Image); msg != "" {
			errs = append(errs, field.Invalid(ip.Child("image"), ic.Image, msg))
		}
		if len(ic.Command) == 0 {
			errs = append(errs, field.Required(ip.Child("command"), ""))
		}
		if ic.WorkDir != "" && !strings.HasPrefix(ic.WorkDir, "/") {
			errs = append(errs, field.Invalid(ip.Child("workDir"), ic.WorkDir, "must be an absolute path"))
		}
	}
	for i, g := range sp.ReadinessGates {
		for _, msg := range validation.IsQualifiedName(g) {
			errs = append(errs, field.Invalid(spec.Child("readinessGates").Index(i), g, msg))
		}
	}

	for i, r := range sp.APIAccess {
		rp := spec.Child("apiAccess").Index(i)
		for name, list := range map[string][]string{"apiGroups": r.APIGroups, "resources": r.Resources, "verbs": r.Verbs} {
			if name != "apiGroups" && len(list) == 0 {
				errs = append(errs, field.Required(rp.Child(name), ""))
			}
			for j, v := range list {
				if v == "*" {
					errs = append(errs, field.Forbidden(rp.Child(name).Index(j), "wildcards are not allowed; name what the service needs"))
				}
			}
		}
	}
	if sp.HostAccess && sp.Workload != DaemonSet {
		errs = append(errs, field.Forbidden(spec.Child("hostAccess"), "only a DaemonSet may use host namespaces"))
	}
	if c := sp.Connector; c != nil {
		for _, msg := range validation.IsDNS1123Label(c.Provider) {
			errs = append(errs, field.Invalid(spec.Child("connector", "provider"), c.Provider, msg))
		}
	}

	isBatch := sp.Workload == Job || sp.Workload == CronJob
	if sp.Job != nil && !isBatch {
		errs = append(errs, field.Forbidden(spec.Child("job"), "only Job and CronJob workloads take a job spec"))
	}
	if j := sp.Job; j != nil && isBatch {
		jp := spec.Child("job")
		errs = append(errs, CompletionsSpan.checkPtr(jp.Child("completions"), j.Completions)...)
		errs = append(errs, ParallelismSpan.checkPtr(jp.Child("parallelism"), j.Parallelism)...)
		errs = append(errs, BackoffSpan.checkPtr(jp.Child("backoffLimit"), j.BackoffLimit)...)
		if j.ActiveDeadlineSeconds != nil {
			errs = append(errs, JobSecondsSpan.Check(jp.Child("activeDeadlineSeconds"), *j.ActiveDeadlineSeconds)...)
		}
		if t := j.TTLSecondsAfterFinished; t != nil { // 0 deletes a finished Job at once
			errs = append(errs, Span{0, JobSecondsSpan.Max}.Check(jp.Child("ttlSecondsAfterFinished"), int64(*t))...)
		}
		if j.TTLSecondsAfterFinished != nil && sp.Workload == Job {
			errs = append(errs, field.Forbidden(jp.Child("ttlSecondsAfterFinished"),
				"a Job in git lives under Argo CD's prune and selfHeal: once a TTL deleted it, Argo CD would create it again and the job would run again; only a CronJob's Jobs take a TTL"))
		}
		if j.RestartPolicy != corev1.RestartPolicyNever && j.RestartPolicy != corev1.RestartPolicyOnFailure {
			errs = append(errs, field.NotSupported(jp.Child("restartPolicy"), j.RestartPolicy,
				[]corev1.RestartPolicy{corev1.RestartPolicyNever, corev1.RestartPolicyOnFailure}))
		}
	}
	switch {
	case sp.Workload == CronJob && sp.Cron == nil:
		errs = append(errs, field.Required(spec.Child("cron"), "a CronJob needs a schedule"))
	case sp.Workload != CronJob && sp.Cron != nil:
		errs = append(errs, field.Forbidden(spec.Child("cron"), "only CronJob workloads take a cron spec"))
	case sp.Cron != nil:
		cp := spec.Child("cron")
		if _, err := cron.ParseStandard(sp.Cron.Schedule); err != nil || sp.Cron.Schedule == "" {
			detail := "empty schedule"
			if err != nil {
				detail = err.Error()
			}
			errs = append(errs, field.Invalid(cp.Child("schedule"), sp.Cron.Schedule, detail))
		}
		switch sp.Cron.ConcurrencyPolicy {
		case "Allow", "Forbid", "Replace":
		default:
			errs = append(errs, field.NotSupported(cp.Child("concurrencyPolicy"), sp.Cron.ConcurrencyPolicy, []string{"Allow", "Forbid", "Replace"}))
		}
		errs = append(errs, HistorySpan.checkPtr(cp.Child("successfulJobsHistoryLimit"), sp.Cron.SuccessfulJobsHistoryLimit)...)
		errs = append(errs, HistorySpan.checkPtr(cp.Child("failedJobsHistoryLimit"), sp.Cron.FailedJobsHistoryLimit)...)
	}
	if a := sp.Autoscaling; a != nil {
		ap := spec.Child("autoscaling")
		if sp.Workload != Deployment && sp.Workload != StatefulSet {
			errs = append(errs, field.Forbidden(ap, "only Deployment and StatefulSet scale horizontally"))
		}
		errs = append(errs, AutoscalingSpan.Check(ap.Child("minReplicas"), int64(a.MinReplicas))...)
		errs = append(errs, AutoscalingSpan.Check(ap.Child("maxReplicas"), int64(a.MaxReplicas))...)
		if a.MaxReplicas < a.MinReplicas {
			errs = append(errs, field.Invalid(ap.Child("maxReplicas"), a.MaxReplicas, "must be >= minReplicas"))
		}
		errs = append(errs, CPUTargetSpan.Check(ap.Child("targetCPUUtilization"), int64(a.TargetCPUUtilization))...)
		if r := sp.Replicas; r != nil && (*r < a.MinReplicas || *r > a.MaxReplicas) && a.MaxReplicas >= a.MinReplicas {
			errs = append(errs, field.Invalid(spec.Child("replicas"), *r, fmt.Sprintf(
				"outside autoscaling's %d..%d: the autoscaler would change it at once", a.MinReplicas, a.MaxReplicas)))
		}
	}
	if st := sp.Storage; st != nil {
		stp := spec.Child("storage")
		if sp.Workload != StatefulSet {
			errs = append(errs, field.Forbidden(stp, "only a StatefulSet has storage"))
		}
		if st.Size == "" {
			errs = append(errs, field.Required(stp.Child("size"), "the size of the volume, like 10Gi"))
		} else if q, e := validateQuantity(stp.Child("size"), st.Size, StorageSpan); len(e) > 0 {
			errs = append(errs, e...)
		} else if q.IsZero() {
			errs = append(errs, field.Invalid(stp.Child("size"), st.Size, "must be > 0"))
		}
		if !strings.HasPrefix(st.MountPath, "/") {
			errs = append(errs, field.Invalid(stp.Child("mountPath"), st.MountPath, "must be an absolute path"))
		}
	}
	if sp.Exposed != "" && !portNames[sp.Exposed] {
		errs = append(errs, field.NotFound(spec.Child("exposed"), sp.Exposed))
	}
	if sp.Exposed != "" && (isBatch || sp.Workload == DaemonSet) {
		errs = append(errs, field.Forbidden(spec.Child("exposed"), "only Deployments and StatefulSets are exposed"))
	}
	pl := spec.Child("placement")
	if !contains(PlacementClasses, sp.Placement.Class) {
		errs = append(errs, field.NotSupported(pl.Child("class"), sp.Placement.Class, PlacementClasses))
	}
	for k, v := range sp.Placement.NodeSelector {
		for _, msg := range validation.IsQualifiedName(k) {
			errs = append(errs, field.Invalid(pl.Child("nodeSelector").Key(k), k, msg))
		}
		for _, msg := range validation.IsValidLabelValue(v) {
			errs = append(errs, field.Invalid(pl.Child("nodeSelector").Key(k), v, msg))
		}
	}
	if sp.Placement.CoLocateWith != "" {
		for _, msg := range validation.IsDNS1123Label(sp.Placement.CoLocateWith) {
			errs = append(errs, field.Invalid(pl.Child("coLocateWith"), sp.Placement.CoLocateWith, msg))
		}
	}
	if sp.Placement.AvoidSpot && sp.Placement.TolerateSpot {
		errs = append(errs, field.Invalid(pl.Child("tolerateSpot"), true, "cannot both avoid and tolerate spot capacity"))
	}
	for i, t := range sp.Talks {
		for _, msg := range validation.IsDNS1123Label(t) {
			errs = append(errs, field.Invalid(spec.Child("talks").Index(i), t, msg))
		}
	}
	return errs
}

func validateName(name string) field.ErrorList {
	p := field.NewPath("metadata", "name")
	if name == "" {
		return field.ErrorList{field.Required(p, "")}
	}
	var errs field.ErrorList
	for _, msg := range validation.IsDNS1123Label(name) {
		errs = append(errs, field.Invalid(p, name, msg))
	}
	return errs
}

func validateImage(ref string) string {
	if strings.ContainsAny(ref, " \t") {
		return "must not contain spaces"
	}
	name := ref
	if i := strings.Index(name, "@"); i >= 0 {
		if !strings.HasPrefix(name[i+1:], "sha256:") {
			return "digest must be sha256:<hex>"
		}
		name = name[:i]
	}
	last := name[strings.LastIndex(name, "/")+1:]
	if i := strings.LastIndex(last, ":"); i >= 0 {
		tag := last[i+1:]
		if tag == "" {
			return "empty tag"
		}
		if tag == "latest" {
			return "the latest tag is not allowed; pin a version"
		}
	} else if !strings.Contains(ref, "@") {
		return "must carry a tag or a digest"
	}
	return ""
}

func validateResources(p *field.Path, r Resources) field.ErrorList {
	var errs field.ErrorList
	rc, e1 := validateQuantity(p.Child("requests", "cpu"), r.Requests.CPU, PodCPUSpan)
	rm, e2 := validateQuantity(p.Child("requests", "memory"), r.Requests.Memory, PodMemorySpan)
	lc, e3 := validateQuantity(p.Child("limits", "cpu"), r.Limits.CPU, PodCPUSpan)
	lm, e4 := validateQuantity(p.Child("limits", "memory"), r.Limits.Memory, PodMemorySpan)
	re, e5 := validateQuantity(p.Child("requests", "ephemeralStorage"), r.Requests.EphemeralStorage, PodEphemeralSpan)
	le, e6 := validateQuantity(p.Child("limits", "ephemeralStorage"), r.Limits.EphemeralStorage, PodEphemeralSpan)
	errs = append(append(append(append(append(append(errs, e1...), e2...), e3...), e4...), e5...), e6...)
	if len(errs) > 0 {
		return errs
	}
	if lc.Cmp(rc) < 0 {
		errs = append(errs, field.Invalid(p.Child("limits", "cpu"), r.Limits.CPU, "must be >= requests.cpu"))
	}
	if lm.Cmp(rm) < 0 {
		errs = append(errs, field.Invalid(p.Child("limits", "memory"), r.Limits.Memory, "must be >= requests.memory"))
	}
	if le.Cmp(re) < 0 {
		errs = append(errs, field.Invalid(p.Child("limits", "ephemeralStorage"), r.Limits.EphemeralStorage, "must be >= requests.ephemeralStorage"))
	}
	return errs
}

func validateProbe(p *field.Path, pr *Probe, ports map[int32]bool) field.ErrorList {
	if pr == nil {
		return nil
	}
	var errs field.ErrorList
	kinds := 0
	checkPort := func(fp *field.Path, port int32) {
		if !ports[port] {
			errs = append(errs, field.Invalid(fp, port, "the container declares no such port"))
		}
	}
	if h := pr.HTTPGet; h != nil {
		kinds++
		checkPort(p.Child("httpGet", "port"), h.Port)
		if !strings.HasPrefix(h.Path, "/") {
			errs = append(errs, field.Invalid(p.Child("httpGet", "path"), h.Path, "must start with /"))
		}
		for i, hd := range h.Headers {
			if hd.Name == "" {
				errs = append(errs, field.Required(p.Child("httpGet", "headers").Index(i).Child("name"), ""))
			}
		}
		if h.Scheme != "" && h.Scheme != corev1.URISchemeHTTP && h.Scheme != corev1.URISchemeHTTPS {
			errs = append(errs, field.NotSupported(p.Child("httpGet", "scheme"), h.Scheme, []corev1.URIScheme{corev1.URISchemeHTTP, corev1.URISchemeHTTPS}))
		}
	}
	if t := pr.TCPSocket; t != nil {
		kinds++
		checkPort(p.Child("tcpSocket", "port"), t.Port)
	}
	if g := pr.GRPC; g != nil {
		kinds++
		checkPort(p.Child("grpc", "port"), g.Port)
	}
	if e := pr.Exec; e != nil {
		kinds++
		if len(e.Command) == 0 {
			errs = append(errs, field.Required(p.Child("exec", "command"), ""))
		}
	}
	if kinds != 1 {
		errs = append(errs, field.Invalid(p, fmt.Sprintf("%d handlers", kinds), "exactly one of httpGet, tcpSocket, grpc or exec"))
	}
	errs = append(errs, ProbeSecondsSpan.Check(p.Child("initialDelaySeconds"), int64(pr.InitialDelaySeconds))...)
	errs = append(errs, ProbeSecondsSpan.Check(p.Child("timeoutSeconds"), int64(pr.TimeoutSeconds))...)
	errs = append(errs, ProbeSecondsSpan.Check(p.Child("periodSeconds"), int64(pr.PeriodSeconds))...)
	errs = append(errs, ProbeThresholdSpan.Check(p.Child("failureThreshold"), int64(pr.FailureThreshold))...)
	return errs
}

// Default fills a compartment's optional fields.
func (c *HueCompartment) Default() {
	if c.Spec.PodSecurity == "" {
		c.Spec.PodSecurity = "restricted"
	}
}

func (c *HueCompartment) Validate() field.ErrorList {
	errs := validateName(c.Name)
	if contains(PlatformNamespaces, c.Name) || strings.HasPrefix(c.Name, "kube-") {
		errs = append(errs, field.Invalid(field.NewPath("metadata", "name"), c.Name,
			"a namespace of Kubernetes or of the platform's own tools; a compartment is a namespace of its own"))
	}
	spec := field.NewPath("spec")
	levels := []string{"restricted", "baseline", "privileged"}
	if !contains(levels, c.Spec.PodSecurity) {
		errs = append(errs, field.NotSupported(spec.Child("podSecurity"), c.Spec.PodSecurity, levels))
	}
	for i, a := range c.Spec.Access {
		ap := spec.Child("access").Index(i)
		if c.Spec.PodSecurity == PodSecurityPrivileged && a.Role == RoleOperate {
			errs = append(errs, field.Forbidden(ap.Child("role"),
				"a privileged compartment grants only view: whoever may create a pod or exec there is root on the node"))
		}
		if a.Group == "" {
			errs = append(errs, field.Required(ap.Child("group"), ""))
		}
		if !contains(AccessRoles, a.Role) {
			errs = append(errs, field.NotSupported(ap.Child("role"), a.Role, AccessRoles))
		}
	}
	if q := c.Spec.Quota; q != nil {
		_, e1 := validateQuantity(spec.Child("quota", "cpu"), q.CPU, QuotaCPUSpan)
		_, e2 := validateQuantity(spec.Child("quota", "memory"), q.Memory, QuotaMemorySpan)
		errs = append(append(errs, e1...), e2...)
	}
	return errs
}

// DataStoreTypes are the kinds of out-of-cluster data services Hue uses.
var DataStoreTypes = []string{"relational", "graph", "timeseries", "cache", "blob", "queue"}

func (d *HueDataStore) Default() {
	if d.Spec.Compartment == "" {
		d.Spec.Compartment = DefaultCompartment
	}
	if d.Spec.PortName == "" {
		d.Spec.PortName = d.Spec.Type
	}
}

func (d *HueDataStore) Validate() field.ErrorList {
	errs := validateName(d.Name)
	spec := field.NewPath("spec")
	if !contains(DataStoreTypes, d.Spec.Type) {
		errs = append(errs, field.NotSupported(spec.Child("type"), d.Spec.Type, DataStoreTypes))
	}
	for _, msg := range validation.IsValidPortNum(int(d.Spec.Port)) {
		errs = append(errs, field.Invalid(spec.Child("port"), d.Spec.Port, msg))
	}
	for _, msg := range validation.IsValidPortName(d.Spec.PortName) {
		errs = append(errs, field.Invalid(spec.Child("portName"), d.Spec.PortName, msg))
	}
	if len(d.Spec.Regions) == 0 {
		errs = append(errs, field.Required(spec.Child("regions"), "where the store is served, one entry per data residency"))
	} else {
		errs = append(errs, DataStoreRegionsSpan.Check(spec.Child("regions"), int64(len(d.Spec.Regions)))...)
	}
	seen := map[string]bool{}
	for i, r := range d.Spec.Regions {
		rp := spec.Child("regions").Index(i)
		switch {
		case r.Residency == "":
			errs = append(errs, field.Required(rp.Child("residency"), "a cluster's spec.dataResidency"))
		case seen[r.Residency]:
			errs = append(errs, field.Duplicate(rp.Child("residency"), r.Residency))
		default:
			for _, msg := range validation.IsDNS1123Label(r.Residency) {
				errs = append(errs, field.Invalid(rp.Child("residency"), r.Residency, msg))
			}
		}
		seen[r.Residency] = true
		errs = append(errs, r.validate(rp)...)
	}
	return errs
}

func (r *DataStoreRegion) validate(rp *field.Path) field.ErrorList {
	var errs field.ErrorList
	switch {
	case r.ExternalName != "" && len(r.Addresses) > 0:
		errs = append(errs, field.Invalid(rp.Child("addresses"), r.Addresses, "exclusive with externalName"))
	case r.ExternalName == "" && len(r.Addresses) == 0:
		errs = append(errs, field.Required(rp.Child("externalName"), "either externalName or addresses"))
	case r.ExternalName != "":
		for _, msg := range validation.IsDNS1123Subdomain(r.ExternalName) {
			errs = append(errs, field.Invalid(rp.Child("externalName"), r.ExternalName, msg))
		}
		if len(r.Ranges) == 0 {
			errs = append(errs, field.Required(rp.Child("ranges"), "the networks "+r.ExternalName+" resolves into: egress cannot be limited to a DNS name"))
		}
	}
	errs = append(errs, DataStoreRangesSpan.Check(rp.Child("ranges"), int64(len(r.Ranges)))...)
	var ranges []netip.Prefix
	for i, c := range r.Ranges {
		p, err := netip.ParsePrefix(c)
		if err != nil {
			errs = append(errs, field.Invalid(rp.Child("ranges").Index(i), c, "not a CIDR (for example 10.20.0.0/24)"))
			continue
		}
		if p.Masked() != p {
			errs = append(errs, field.Invalid(rp.Child("ranges").Index(i), c, "host bits set: write "+p.Masked().String()))
			continue
		}
		bits := PrefixSpanIPv4
		if p.Addr().Is6() {
			bits = PrefixSpanIPv6
		}
		if p.Bits() < int(bits.Min) {
			errs = append(errs, field.Invalid(rp.Child("ranges").Index(i), c, fmt.Sprintf("wider than /%d: a data store is not the internet", bits.Min)))
			continue
		}
		if a := p.Addr(); a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsMulticast() || a.IsUnspecified() || p.Contains(netip.MustParseAddr("169.254.169.254")) || slices.ContainsFunc(metadataAddresses, p.Contains) {
			errs = append(errs, field.Invalid(rp.Child("ranges").Index(i), c, "a loopback, link-local, multicast, unspecified or cloud metadata network is not a data store"))
			continue
		}
		ranges = append(ranges, p)
	}
	family := ""
	for i, a := range r.Addresses {
		ap := rp.Child("addresses").Index(i)
		ip, err := netip.ParseAddr(a)
		if err != nil {
			errs = append(errs, field.Invalid(ap, a, "not an IP address"))
			continue
		}
		// Loopback, link-local (169.254.169.254 among them), unspecified and zoned addresses
		// are refused by Kubernetes' own EndpointSlice validation when the base is generated.
		if ip.IsMulticast() || ip == netip.MustParseAddr("255.255.255.255") || contains(metadataAddresses, ip.Unmap()) {
			errs = append(errs, field.Invalid(ap, a, "a multicast, broadcast or cloud metadata address is not a data store"))
		}
		if len(r.Ranges) > 0 && !slices.ContainsFunc(ranges, func(p netip.Prefix) bool { return p.Contains(ip) }) {
			errs = append(errs, field.Invalid(ap, a, "outside the region's ranges: its clients could not reach it"))
		}
		f := "IPv4"
		if ip.Is6() {
			f = "IPv6"
		}
		if family != "" && f != family {
			errs = append(errs, field.Invalid(ap, a, "all addresses must be of one family"))
		}
		family = f
	}
	return errs
}

// Egress returns the networks a store's clients may reach in this region: its ranges, or each
// of its addresses alone.
func (r *DataStoreRegion) Egress() []string {
	if len(r.Ranges) > 0 {
		return r.Ranges
	}
	out := make([]string, 0, len(r.Addresses))
	for _, a := range r.Addresses {
		ip := netip.MustParseAddr(a)
		out = append(out, netip.PrefixFrom(ip, ip.BitLen()).String())
	}
	return out
}

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
