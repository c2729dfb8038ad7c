// Package service expands the typed catalog (HueService, HueCompartment, HueDataStore) into the
// hardened Kubernetes objects of each kustomize base.
package service

import (
	"fmt"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/hue-platform/hue-gitops/generators/api/v1alpha1"
)

// Label keys and values shared by every generated object.
const (
	LabelApp       = "app"
	LabelService   = "service"
	LabelTier      = "tier"
	LabelPlacement = "hue.dev/placement"
	LabelPlatform  = "hue.dev/platform"
	// LabelSpotTolerant marks workloads the spot-pool component lets onto spot nodes.
	LabelSpotTolerant = "hue.dev/spot-tolerant"
	TalksPrefix       = "talks.hue.dev/"
	AppValue          = "hue"
	SyncWave          = "argocd.argoproj.io/sync-wave"
	// SyncOptions are Argo CD sync options of one resource.
	SyncOptions     = "argocd.argoproj.io/sync-options"
	AnnotationDescr = "hue.dev/description"
	// Registry is where every Hue image comes from.
	Registry = "registry.hue.dev/"
)

// Sync waves: namespaces and RBAC first, then config and services, then workloads, then
// what depends on running workloads, then batch work.
const (
	WaveNamespace = "-3"
	WaveRBAC      = "-2"
	WaveConfig    = "-1"
	WaveWorkload  = "0"
	WavePost      = "1"
	WaveBatch     = "2"
)

const (
	nonRootUID   = int64(10001)
	tokenSeconds = int64(3600)
	tokenPath    = "/var/run/secrets/hue/api"
)

func ptr[T any](v T) *T { return &v }

func selectorLabels(s *v1alpha1.HueService) map[string]string {
	return map[string]string{LabelApp: AppValue, LabelService: s.Name}
}

func objectLabels(s *v1alpha1.HueService) map[string]string {
	l := selectorLabels(s)
	l[LabelTier] = s.Spec.Tier
	l[LabelPlacement] = s.Spec.Placement.Class
	if s.Spec.Placement.TolerateSpot {
		l[LabelSpotTolerant] = "true"
	}
	return l
}

func meta(s *v1alpha1.HueService, name, wave string) metav1.ObjectMeta {
	return metav1.ObjectMeta{
		Name:        name,
		Namespace:   s.Spec.Compartment,
		Labels:      objectLabels(s),
		Annotations: map[string]string{SyncWave: wave},
	}
}

func paused(s *v1alpha1.HueService) bool {
	return s.Spec.Connector != nil && s.Spec.Connector.Paused
}

// Objects returns every object of one service's base, in a stable order.
func Objects(s *v1alpha1.HueService) ([]any, error) {
	var out []any
	out = append(out, serviceAccount(s))
	if len(s.Spec.APIAccess) > 0 {
		out = append(out, role(s), roleBinding(s))
	}
	tmpl, err := podTemplate(s)
	if err != nil {
		return nil, err
	}
	sp := s.Spec
	wm := meta(s, s.Name, WaveWorkload)
	if sp.Description != "" {
		wm.Annotations[AnnotationDescr] = sp.Description
	}
	switch sp.Workload {
	case v1alpha1.Deployment:
		replicas := *sp.Replicas
		if paused(s) {
			replicas = 0
		}
		out = append(out, &appsv1.Deployment{
			TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
			ObjectMeta: wm,
			Spec: appsv1.DeploymentSpec{
				Replicas:             &replicas,
				RevisionHistoryLimit: ptr(int32(5)),
				Selector:             &metav1.LabelSelector{MatchLabels: selectorLabels(s)},
				Strategy: appsv1.DeploymentStrategy{
					Type: appsv1.RollingUpdateDeploymentStrategyType,
					RollingUpdate: &appsv1.RollingUpdateDeployment{
						MaxUnavailable: ptr(intstr.FromInt32(0)),
						MaxSurge:       ptr(intstr.FromString("25%")),
					},
				},
				MinReadySeconds: 5,
				Template:        tmpl,
			},
		})
	case v1alpha1.StatefulSet:
		replicas := *sp.Replicas
		st := &appsv1.StatefulSet{
			TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "StatefulSet"},
			ObjectMeta: wm,
			Spec: appsv1.StatefulSetSpec{
				Replicas:             &replicas,
				ServiceName:          s.Name + "-headless",
				RevisionHistoryLimit: ptr(int32(5)),
				Selector:             &metav1.LabelSelector{MatchLabels: selectorLabels(s)},
				UpdateStrategy:       appsv1.StatefulSetUpdateStrategy{Type: appsv1.RollingUpdateStatefulSetStrategyType},
				PodManagementPolicy:  appsv1.OrderedReadyPodManagement,
				Template:             tmpl,
			},
		}
		if sp.Storage != nil {
			st.Spec.VolumeClaimTemplates = []corev1.PersistentVolumeClaim{{
				TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "PersistentVolumeClaim"},
				ObjectMeta: metav1.ObjectMeta{Name: "data"},
				Spec: corev1.PersistentVolumeClaimSpec{
					AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
					Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{
						corev1.ResourceStorage: resource.MustParse(sp.Storage.Size),
					}},
				},
			}}
		}
		out = append(out, st)
	case v1alpha1.DaemonSet:
		out = append(out, &appsv1.DaemonSet{
			TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "DaemonSet"},
			ObjectMeta: wm,
			Spec: appsv1.DaemonSetSpec{
				Selector:             &metav1.LabelSelector{MatchLabels: selectorLabels(s)},
				RevisionHistoryLimit: ptr(int32(5)),
				UpdateStrategy: appsv1.DaemonSetUpdateStrategy{
					Type:          appsv1.RollingUpdateDaemonSetStrategyType,
					RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxUnavailable: ptr(intstr.FromString("10%"))},
				},
				Template: tmpl,
			},
		})
	case v1alpha1.Job:
		wm.Annotations[SyncWave] = WaveBatch
		// A Job's pod template is immutable and it runs once: Argo CD replaces it when git
		// changes it (the job runs again, once per change) and, with ApplyOutOfSyncOnly, leaves
		// it alone on every other sync. It has no TTL, or Argo CD would re-create it after.
		wm.Annotations[SyncOptions] = "Force=true,Replace=true"
		out = append(out, &batchv1.Job{
			TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
			ObjectMeta: wm,
			Spec:       jobSpec(sp.Job, tmpl),
		})
	case v1alpha1.CronJob:
		wm.Annotations[SyncWave] = WaveBatch
		c := sp.Cron
		cj := &batchv1.CronJob{
			TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "CronJob"},
			ObjectMeta: wm,
			Spec: batchv1.CronJobSpec{
				Schedule:                   c.Schedule,
				Suspend:                    ptr(c.Suspend || paused(s)),
				ConcurrencyPolicy:          batchv1.ConcurrencyPolicy(c.ConcurrencyPolicy),
				SuccessfulJobsHistoryLimit: c.SuccessfulJobsHistoryLimit,
				FailedJobsHistoryLimit:     c.FailedJobsHistoryLimit,
				StartingDeadlineSeconds:    ptr(int64(300)),
				JobTemplate: batchv1.JobTemplateSpec{
					ObjectMeta: metav1.ObjectMeta{Labels: objectLabels(s)},
					Spec:       jobSpec(sp.Job, tmpl),
				},
			},
		}
		if c.TimeZone != "" {
			cj.Spec.TimeZone = ptr(c.TimeZone)
		}
		out = append(out, cj)
	default:
		return nil, fmt.Errorf("HueService/%s: unsupported workload %q", s.Name, sp.Workload)
	}
	if svc := clusterIPService(s); svc != nil {
		out = append(out, svc)
	}
	if sp.Workload == v1alpha1.StatefulSet {
		out = append(out, headlessService(s))
	}
	if pdb := disruptionBudget(s); pdb != nil {
		out = append(out, pdb)
	}
	if sp.Autoscaling != nil {
		out = append(out, autoscaler(s))
	}
	out = append(out, networkPolicy(s))
	return out, nil
}

func jobSpec(j *v1alpha1.JobSpec, tmpl corev1.PodTemplateSpec) batchv1.JobSpec {
	tmpl.Spec.RestartPolicy = j.RestartPolicy
	return batchv1.JobSpec{
		Completions:             j.Completions,
		Parallelism:             j.Parallelism,
		BackoffLimit:            j.BackoffLimit,
		ActiveDeadlineSeconds:   j.ActiveDeadlineSeconds,
		TTLSecondsAfterFinished: j.TTLSecondsAfterFinished,
		Template:                tmpl,
	}
}

func serviceAccount(s *v1alpha1.HueService) *corev1.ServiceAccount {
	return &corev1.ServiceAccount{
		TypeMeta:                     metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
		ObjectMeta:                   meta(s, s.Name, WaveRBAC),
		AutomountServiceAccountToken: ptr(false),
	}
}

func role(s *v1alpha1.HueService) *rbacv1.Role {
	r := &rbacv1.Role{
		TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "Role"},
		ObjectMeta: meta(s, s.Name, WaveRBAC),
	}
	for _, a := range s.Spec.APIAccess {
		groups := a.APIGroups
		if len(groups) == 0 {
			groups = []string{""}
		}
		r.Rules = append(r.Rules, rbacv1.PolicyRule{APIGroups: groups, Resources: a.Resources, Verbs: a.Verbs})
	}
	return r
}

func roleBinding(s *v1alpha1.HueService) *rbacv1.RoleBinding {
	return &rbacv1.RoleBinding{
		TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"},
		ObjectMeta: meta(s, s.Name, WaveRBAC),
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: s.Name},
		Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: s.Name, Namespace: s.Spec.Compartment}},
	}
}

func podTemplate(s *v1alpha1.HueService) (corev1.PodTemplateSpec, error) {
	sp := s.Spec
	labels := objectLabels(s)
	for _, t := range sp.Talks {
		labels[TalksPrefix+t] = "true"
	}
	c := corev1.Container{
		Name:            s.Name,
		Image:           sp.Image,
		ImagePullPolicy: corev1.PullIfNotPresent,
		Command:         sp.Command,
		Args:            sp.Args,
		SecurityContext: containerSecurity(),
		VolumeMounts:    []corev1.VolumeMount{{Name: "tmp", MountPath: "/tmp"}},
	}
	for _, p := range sp.Ports {
		c.Ports = append(c.Ports, corev1.ContainerPort{Name: p.Name, ContainerPort: p.Port, Protocol: p.Protocol})
	}
	for _, e := range sp.Env {
		c.Env = append(c.Env, corev1.EnvVar{Name: e.Name, Value: e.Value})
	}
	res, err := resources(sp.Resources)
	if err != nil {
		return corev1.PodTemplateSpec{}, fmt.Errorf("HueService/%s: spec.resources: %w", s.Name, err)
	}
	c.Resources = res
	c.LivenessProbe = probe(sp.Probes.Liveness)
	c.ReadinessProbe = probe(sp.Probes.Readiness)
	c.StartupProbe = probe(sp.Probes.Startup)

	pod := corev1.PodSpec{
		ServiceAccountName:            s.Name,
		AutomountServiceAccountToken:  ptr(false),
		EnableServiceLinks:            ptr(false),
		TerminationGracePeriodSeconds: ptr(int64(30)),
		SecurityContext: &corev1.PodSecurityContext{
			RunAsNonRoot:   ptr(true),
			RunAsUser:      ptr(nonRootUID),
			RunAsGroup:     ptr(nonRootUID),
			FSGroup:        ptr(nonRootUID),
			SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		},
		Volumes: []corev1.Volume{{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{SizeLimit: ptr(resource.MustParse("64Mi"))}}}},
	}
	if len(sp.APIAccess) > 0 {
		pod.Volumes = append(pod.Volumes, corev1.Volume{Name: "api-token", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{
			Sources: []corev1.VolumeProjection{{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token", ExpirationSeconds: ptr(tokenSeconds)}}},
		}}})
		c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: "api-token", MountPath: tokenPath, ReadOnly: true})
	}
	if sp.Storage != nil {
		c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: "data", MountPath: sp.Storage.MountPath})
	}
	workDirs := map[string]bool{}
	for _, ic := range sp.InitContainers {
		init := corev1.Container{
			Name:            ic.Name,
			Image:           ic.Image,
			ImagePullPolicy: corev1.PullIfNotPresent,
			Command:         ic.Command,
			SecurityContext: containerSecurity(),
			Resources:       res,
		}
		if ic.WorkDir != "" {
			vol := "workdir"
			if !workDirs[ic.WorkDir] {
				workDirs[ic.WorkDir] = true
				pod.Volumes = append(pod.Volumes, corev1.Volume{Name: vol, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{SizeLimit: ptr(resource.MustParse(v1alpha1.WorkDirSize))}}})
				c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: vol, MountPath: ic.WorkDir, ReadOnly: true})
			}
			init.VolumeMounts = []corev1.VolumeMount{{Name: vol, MountPath: ic.WorkDir}}
		}
		pod.InitContainers = append(pod.InitContainers, init)
	}
	for _, g := range sp.ReadinessGates {
		pod.ReadinessGates = append(pod.ReadinessGates, corev1.PodReadinessGate{ConditionType: corev1.PodConditionType(g)})
	}
	if sp.HostAccess {
		pod.HostNetwork, pod.HostPID, pod.HostIPC = true, true, true
		pod.DNSPolicy = corev1.DNSClusterFirstWithHostNet
		// A node agent runs on every pool, whatever its taints.
		pod.Tolerations = []corev1.Toleration{{Operator: corev1.TolerationOpExists}}
		pod.PriorityClassName = "system-node-critical"
	}
	pod.Containers = []corev1.Container{c}
	pod.NodeSelector = map[string]string{"kubernetes.io/os": "linux"}
	for k, v := range sp.Placement.NodeSelector {
		pod.NodeSelector[k] = v
	}
	pod.Affinity = affinity(s)
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: labels},
		Spec:       pod,
	}, nil
}

func affinity(s *v1alpha1.HueService) *corev1.Affinity {
	pl := s.Spec.Placement
	var a corev1.Affinity
	if pl.AvoidSpot {
		a.NodeAffinity = &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
			NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{{
				Key: v1alpha1.LabelSpot, Operator: corev1.NodeSelectorOpDoesNotExist,
			}}}},
		}}
	}
	if pl.CoLocateWith != "" {
		a.PodAffinity = &corev1.PodAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []corev1.WeightedPodAffinityTerm{{
			Weight: 50,
			PodAffinityTerm: corev1.PodAffinityTerm{
				LabelSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{
					Key: LabelService, Operator: metav1.LabelSelectorOpIn, Values: []string{pl.CoLocateWith},
				}}},
				TopologyKey: corev1.LabelTopologyZone,
			},
		}}}
	}
	if w := s.Spec.Workload; w == v1alpha1.Deployment || w == v1alpha1.StatefulSet {
		// Replicas on one node fall together; preferred, so a one-node school cluster still schedules.
		a.PodAntiAffinity = &corev1.PodAntiAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []corev1.WeightedPodAffinityTerm{{
			Weight: 100,
			PodAffinityTerm: corev1.PodAffinityTerm{
				LabelSelector: &metav1.LabelSelector{MatchLabels: selectorLabels(s)},
				TopologyKey:   corev1.LabelHostname,
			},
		}}}
	}
	if a.NodeAffinity == nil && a.PodAffinity == nil && a.PodAntiAffinity == nil {
		return nil
	}
	return &a
}

func containerSecurity() *corev1.SecurityContext {
	return &corev1.SecurityContext{
		RunAsNonRoot:             ptr(true),
		AllowPrivilegeEscalation: ptr(false),
		ReadOnlyRootFilesystem:   ptr(true),
		Privileged:               ptr(false),
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
}

func resources(r v1alpha1.Resources) (corev1.ResourceRequirements, error) {
	parse := func(v string) (resource.Quantity, error) { return resource.ParseQuantity(v) }
	var out corev1.ResourceRequirements
	out.Requests, out.Limits = corev1.ResourceList{}, corev1.ResourceList{}
	for _, x := range []struct {
		list corev1.ResourceList
		name corev1.ResourceName
		v    string
	}{
		{out.Requests, corev1.ResourceCPU, r.Requests.CPU},
		{out.Requests, corev1.ResourceMemory, r.Requests.Memory},
		{out.Limits, corev1.ResourceCPU, r.Limits.CPU},
		{out.Limits, corev1.ResourceMemory, r.Limits.Memory},
		{out.Requests, corev1.ResourceEphemeralStorage, r.Requests.EphemeralStorage},
		{out.Limits, corev1.ResourceEphemeralStorage, r.Limits.EphemeralStorage},
	} {
		if x.v == "" {
			continue
		}
		q, err := parse(x.v)
		if err != nil {
			return out, err
		}
		x.list[x.name] = q
	}
	return out, nil
}

func probe(p *v1alpha1.Probe) *corev1.Probe {
	if p == nil {
		return nil
	}
	out := &corev1.Probe{
		InitialDelaySeconds: p.InitialDelaySeconds,
		TimeoutSeconds:      p.TimeoutSeconds,
		PeriodSeconds:       p.PeriodSeconds,
		FailureThreshold:    p.FailureThreshold,
	}
	switch {
	case p.HTTPGet != nil:
		h := &corev1.HTTPGetAction{Path: p.HTTPGet.Path, Port: intstr.FromInt32(p.HTTPGet.Port), Scheme: p.HTTPGet.Scheme}
		for _, hd := range p.HTTPGet.Headers {
			h.HTTPHeaders = append(h.HTTPHeaders, corev1.HTTPHeader{Name: hd.Name, Value: hd.Value})
		}
		out.HTTPGet = h
	case p.TCPSocket != nil:
		out.TCPSocket = &corev1.TCPSocketAction{Port: intstr.FromInt32(p.TCPSocket.Port)}
	case p.GRPC != nil:
		out.GRPC = &corev1.GRPCAction{Port: p.GRPC.Port}
	case p.Exec != nil:
		out.Exec = &corev1.ExecAction{Command: p.Exec.Command}
	}
	return out
}

func clusterIPService(s *v1alpha1.HueService) *corev1.Service {
	sp := s.Spec
	if len(sp.Ports) == 0 || sp.Workload == v1alpha1.Job || sp.Workload == v1alpha1.CronJob || sp.Workload == v1alpha1.DaemonSet {
		return nil
	}
	svc := &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: meta(s, s.Name, WaveConfig),
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: selectorLabels(s),
		},
	}
	for _, p := range sp.Ports {
		svc.Spec.Ports = append(svc.Spec.Ports, corev1.ServicePort{Name: p.Name, Port: p.Port, TargetPort: intstr.FromString(p.Name), Protocol: p.Protocol})
	}
	return svc
}

func headlessService(s *v1alpha1.HueService) *corev1.Service {
	svc := clusterIPService(s)
	if svc == nil {
		svc = &corev1.Service{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Service"}, ObjectMeta: meta(s, s.Name, WaveConfig),
			Spec: corev1.ServiceSpec{Selector: selectorLabels(s)}}
	}
	svc.Name = s.Name + "-headless"
	svc.Spec.Type = ""
	svc.Spec.ClusterIP = corev1.ClusterIPNone
	svc.Spec.PublishNotReadyAddresses = true
	return svc
}

func disruptionBudget(s *v1alpha1.HueService) *policyv1.PodDisruptionBudget {
	sp := s.Spec
	// A paused connector keeps its budget: a cluster that resumes it must not lose it.
	if sp.Replicas == nil || *sp.Replicas < 2 {
		return nil
	}
	return &policyv1.PodDisruptionBudget{
		TypeMeta:   metav1.TypeMeta{APIVersion: "policy/v1", Kind: "PodDisruptionBudget"},
		ObjectMeta: meta(s, s.Name, WavePost),
		Spec: policyv1.PodDisruptionBudgetSpec{
			MaxUnavailable: ptr(intstr.FromInt32(1)),
			Selector:       &metav1.LabelSelector{MatchLabels: selectorLabels(s)},
		},
	}
}

func autoscaler(s *v1alpha1.HueService) *autoscalingv2.HorizontalPodAutoscaler {
	a := s.Spec.Autoscaling
	return &autoscalingv2.HorizontalPodAutoscaler{
		TypeMeta:   metav1.TypeMeta{APIVersion: "autoscaling/v2", Kind: "HorizontalPodAutoscaler"},
		ObjectMeta: meta(s, s.Name, WavePost),
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: string(s.Spec.Workload), Name: s.Name},
			MinReplicas:    ptr(a.MinReplicas),
			MaxReplicas:    a.MaxReplicas,
			Metrics: []autoscalingv2.MetricSpec{{
				Type: autoscalingv2.ResourceMetricSourceType,
				Resource: &autoscalingv2.ResourceMetricSource{
					Name:   corev1.ResourceCPU,
					Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr(a.TargetCPUUtilization)},
				},
			}},
		},
	}
}

// platformNamespaces selects every namespace of the Hue platform.
func platformNamespaces() *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchLabels: map[string]string{LabelPlatform: AppValue}}
}

// networkPolicy allows the service's own traffic: in from pods that declare they talk to it,
// out to the services it talks to. Each compartment denies everything else by default, and
// data-store egress is granted per compartment (see the compartment generator).
func networkPolicy(s *v1alpha1.HueService) *networkingv1.NetworkPolicy {
	np := &networkingv1.NetworkPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
		ObjectMeta: meta(s, s.Name, WaveRBAC),
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: selectorLabels(s)},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
		},
	}
	if len(s.Spec.Ports) > 0 {
		rule := networkingv1.NetworkPolicyIngressRule{From: []networkingv1.NetworkPolicyPeer{{
			NamespaceSelector: platformNamespaces(),
			PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{TalksPrefix + s.Name: "true"}},
		}}}
		for _, p := range s.Spec.Ports {
			rule.Ports = append(rule.Ports, networkingv1.NetworkPolicyPort{Protocol: ptr(p.Protocol), Port: ptr(intstr.FromString(p.Name))})
		}
		np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{rule}
	}
	peers := append([]string(nil), s.Spec.Talks...)
	sort.Strings(peers)
	if len(peers) > 0 {
		rule := networkingv1.NetworkPolicyEgressRule{}
		for _, p := range peers {
			rule.To = append(rule.To, networkingv1.NetworkPolicyPeer{
				NamespaceSelector: platformNamespaces(),
				PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{LabelService: p}},
			})
		}
		np.Spec.Egress = []networkingv1.NetworkPolicyEgressRule{rule}
	}
	return np
}

// FileName is the base file an object of this kind is written to.
func FileName(kind string) string {
	switch kind {
	case "PodDisruptionBudget":
		return "pdb.yaml"
	case "HorizontalPodAutoscaler":
		return "hpa.yaml"
	case "Role", "RoleBinding":
		return "rbac.yaml"
	}
	return strings.ToLower(kind) + ".yaml"
}
