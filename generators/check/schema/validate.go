package schema

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

type fieldError struct {
	field   string
	message string
}

// validator collects the value errors of one decoded object.
type validator struct {
	errs []fieldError
}

func (v *validator) add(p *field.Path, format string, args ...any) {
	v.errs = append(v.errs, fieldError{field: p.String(), message: fmt.Sprintf(format, args...)})
}

// each reports every message of a k8s.io/apimachinery validation function.
func (v *validator) each(p *field.Path, what string, value any, msgs []string) {
	if len(msgs) > 0 {
		v.add(p, "invalid %s %q: %s", what, fmt.Sprint(value), strings.Join(msgs, "; "))
	}
}

func (v *validator) object(obj runtime.Object) {
	if m, ok := obj.(metav1.Object); ok {
		v.meta(m, field.NewPath("metadata"))
	}
	spec := field.NewPath("spec")
	switch o := obj.(type) {
	case *corev1.Pod:
		v.podSpec(&o.Spec, spec, nil)
	case *appsv1.Deployment:
		v.selector(o.Spec.Selector, &o.Spec.Template, spec)
		v.podTemplate(&o.Spec.Template, spec.Child("template"), nil)
	case *appsv1.ReplicaSet:
		v.selector(o.Spec.Selector, &o.Spec.Template, spec)
		v.podTemplate(&o.Spec.Template, spec.Child("template"), nil)
	case *appsv1.DaemonSet:
		v.selector(o.Spec.Selector, &o.Spec.Template, spec)
		v.podTemplate(&o.Spec.Template, spec.Child("template"), nil)
	case *appsv1.StatefulSet:
		v.selector(o.Spec.Selector, &o.Spec.Template, spec)
		claims := sets.New[string]()
		for i, t := range o.Spec.VolumeClaimTemplates {
			v.each(spec.Child("volumeClaimTemplates").Index(i).Child("metadata", "name"), "volume claim template name", t.Name, validation.IsDNS1123Label(t.Name))
			claims.Insert(t.Name)
		}
		v.podTemplate(&o.Spec.Template, spec.Child("template"), claims)
	case *batchv1.Job:
		v.job(&o.Spec, spec)
	case *batchv1.CronJob:
		v.schedule(o.Spec.Schedule, spec.Child("schedule"))
		v.job(&o.Spec.JobTemplate.Spec, spec.Child("jobTemplate", "spec"))
	case *corev1.Service:
		v.service(&o.Spec, spec)
	case *corev1.ConfigMap:
		v.keys(field.NewPath("data"), slices.Sorted(maps.Keys(o.Data)))
		v.keys(field.NewPath("binaryData"), slices.Sorted(maps.Keys(o.BinaryData)))
	case *corev1.Secret:
		v.keys(field.NewPath("data"), slices.Sorted(maps.Keys(o.Data)))
		v.keys(field.NewPath("stringData"), slices.Sorted(maps.Keys(o.StringData)))
	case *policyv1.PodDisruptionBudget:
		if o.Spec.MinAvailable != nil && o.Spec.MaxUnavailable != nil {
			v.add(spec, "minAvailable and maxUnavailable are mutually exclusive")
		}
		if o.Spec.Selector != nil {
			if _, err := metav1.LabelSelectorAsSelector(o.Spec.Selector); err != nil {
				v.add(spec.Child("selector"), "invalid selector: %v", err)
			}
		}
	}
}

func (v *validator) meta(m metav1.Object, p *field.Path) {
	if m.GetName() == "" && m.GetGenerateName() == "" {
		v.add(p.Child("name"), "name is required")
	}
	v.labels(m.GetLabels(), p.Child("labels"))
	for _, k := range slices.Sorted(maps.Keys(m.GetAnnotations())) {
		v.each(p.Child("annotations").Key(k), "annotation key", k, validation.IsQualifiedName(strings.ToLower(k)))
	}
}

func (v *validator) labels(l map[string]string, p *field.Path) {
	for _, k := range slices.Sorted(maps.Keys(l)) {
		v.each(p.Key(k), "label key", k, validation.IsQualifiedName(k))
		v.each(p.Key(k), "label value", l[k], validation.IsValidLabelValue(l[k]))
	}
}

// selector checks a workload selector is set, valid, not empty and matches the template labels.
func (v *validator) selector(sel *metav1.LabelSelector, tmpl *corev1.PodTemplateSpec, spec *field.Path) {
	p := spec.Child("selector")
	if sel == nil {
		v.add(p, "selector is required")
		return
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	switch {
	case err != nil:
		v.add(p, "invalid selector: %v", err)
	case s.Empty():
		v.add(p, "selector must not be empty")
	case !s.Matches(labels.Set(tmpl.Labels)):
		v.add(spec.Child("template", "metadata", "labels"), "selector %s does not match the template labels %s", s, labels.Set(tmpl.Labels))
	}
}

func (v *validator) podTemplate(t *corev1.PodTemplateSpec, p *field.Path, claims sets.Set[string]) {
	v.labels(t.Labels, p.Child("metadata", "labels"))
	v.podSpec(&t.Spec, p.Child("spec"), claims)
}

func (v *validator) job(js *batchv1.JobSpec, p *field.Path) {
	tp := p.Child("template")
	v.podTemplate(&js.Template, tp, nil)
	switch rp := js.Template.Spec.RestartPolicy; rp {
	case corev1.RestartPolicyNever, corev1.RestartPolicyOnFailure:
	case "":
		v.add(tp.Child("spec", "restartPolicy"), "restartPolicy must be set to Never or OnFailure for a Job (the default Always is rejected)")
	default:
		v.add(tp.Child("spec", "restartPolicy"), "restartPolicy must be Never or OnFailure for a Job, got %q", rp)
	}
	for name, n := range map[string]*int32{"parallelism": js.Parallelism, "completions": js.Completions, "backoffLimit": js.BackoffLimit} {
		if n != nil && *n < 0 {
			v.add(p.Child(name), "%s must not be negative", name)
		}
	}
}

var cronDescriptors = sets.New("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")

func (v *validator) schedule(s string, p *field.Path) {
	fields := strings.Fields(s)
	if len(fields) > 0 && (strings.HasPrefix(fields[0], "TZ=") || strings.HasPrefix(fields[0], "CRON_TZ=")) {
		fields = fields[1:]
	}
	switch {
	case len(fields) == 0:
		v.add(p, "schedule is required")
	case strings.HasPrefix(fields[0], "@"):
		if !cronDescriptors.Has(fields[0]) && !(fields[0] == "@every" && len(fields) == 2) || fields[0] != "@every" && len(fields) != 1 {
			v.add(p, "invalid schedule %q: unknown descriptor", s)
		}
	case len(fields) != 5:
		v.add(p, "invalid schedule %q: want 5 fields (minute hour day-of-month month day-of-week), got %d", s, len(fields))
	}
}

func (v *validator) podSpec(spec *corev1.PodSpec, p *field.Path, claims sets.Set[string]) {
	switch spec.RestartPolicy {
	case "", corev1.RestartPolicyAlways, corev1.RestartPolicyOnFailure, corev1.RestartPolicyNever:
	default:
		v.add(p.Child("restartPolicy"), "invalid restartPolicy %q: want Always, OnFailure or Never", spec.RestartPolicy)
	}
	volumes := sets.New[string]()
	for i, vol := range spec.Volumes {
		vp := p.Child("volumes").Index(i).Child("name")
		v.each(vp, "volume name", vol.Name, validation.IsDNS1123Label(vol.Name))
		if volumes.Has(vol.Name) {
			v.add(vp, "duplicate volume name %q", vol.Name)
		}
		volumes.Insert(vol.Name)
	}
	volumes = volumes.Union(claims)
	if len(spec.Containers) == 0 {
		v.add(p.Child("containers"), "at least one container is required")
	}
	names := sets.New[string]()
	for _, list := range []struct {
		name       string
		containers []corev1.Container
	}{{"initContainers", spec.InitContainers}, {"containers", spec.Containers}} {
		for i := range list.containers {
			c := &list.containers[i]
			cp := p.Child(list.name).Index(i)
			if names.Has(c.Name) {
				v.add(cp.Child("name"), "duplicate container name %q", c.Name)
			}
			names.Insert(c.Name)
			v.container(c, cp, volumes)
		}
	}
}

func (v *validator) container(c *corev1.Container, p *field.Path, volumes sets.Set[string]) {
	v.each(p.Child("name"), "container name", c.Name, validation.IsDNS1123Label(c.Name))
	portNames := sets.New[string]()
	for i, port := range c.Ports {
		pp := p.Child("ports").Index(i)
		if port.Name != "" {
			v.each(pp.Child("name"), "port name", port.Name, validation.IsValidPortName(port.Name))
			if portNames.Has(port.Name) {
				v.add(pp.Child("name"), "duplicate port name %q", port.Name)
			}
			portNames.Insert(port.Name)
		}
		v.each(pp.Child("containerPort"), "containerPort", port.ContainerPort, validation.IsValidPortNum(int(port.ContainerPort)))
		if port.HostPort != 0 {
			v.each(pp.Child("hostPort"), "hostPort", port.HostPort, validation.IsValidPortNum(int(port.HostPort)))
		}
	}
	for _, pr := range []struct {
		name  string
		probe *corev1.Probe
	}{{"livenessProbe", c.LivenessProbe}, {"readinessProbe", c.ReadinessProbe}, {"startupProbe", c.StartupProbe}} {
		if pr.probe == nil {
			continue
		}
		pp := p.Child(pr.name)
		h := pr.probe.ProbeHandler
		if h.HTTPGet != nil {
			v.port(pp.Child("httpGet", "port"), "probe port", h.HTTPGet.Port)
		}
		if h.TCPSocket != nil {
			v.port(pp.Child("tcpSocket", "port"), "probe port", h.TCPSocket.Port)
		}
		if h.GRPC != nil {
			v.each(pp.Child("grpc", "port"), "probe port", h.GRPC.Port, validation.IsValidPortNum(int(h.GRPC.Port)))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(c.Resources.Requests)) {
		req := c.Resources.Requests[name]
		if limit, ok := c.Resources.Limits[name]; ok && req.Cmp(limit) > 0 {
			v.add(p.Child("resources", "requests").Key(string(name)), "request %s of %s exceeds its limit %s", req.String(), name, limit.String())
		}
	}
	for i, m := range c.VolumeMounts {
		if !volumes.Has(m.Name) {
			v.add(p.Child("volumeMounts").Index(i).Child("name"), "volume %q is not defined in the pod's volumes", m.Name)
		}
	}
}

// port checks a port given by number (1-65535) or name (IANA service name).
func (v *validator) port(p *field.Path, what string, port intstr.IntOrString) {
	if port.Type == intstr.String {
		v.each(p, what+" name", port.StrVal, validation.IsValidPortName(port.StrVal))
		return
	}
	v.each(p, what, port.IntVal, validation.IsValidPortNum(int(port.IntVal)))
}

func (v *validator) service(spec *corev1.ServiceSpec, p *field.Path) {
	v.labels(spec.Selector, p.Child("selector"))
	if spec.Type == corev1.ServiceTypeExternalName && spec.ExternalName == "" {
		v.add(p.Child("externalName"), "externalName is required for type ExternalName")
	}
	names := sets.New[string]()
	for i, port := range spec.Ports {
		pp := p.Child("ports").Index(i)
		switch {
		case port.Name == "" && len(spec.Ports) > 1:
			v.add(pp.Child("name"), "name is required when a Service has more than one port")
		case port.Name != "":
			v.each(pp.Child("name"), "port name", port.Name, validation.IsDNS1123Label(port.Name))
			if names.Has(port.Name) {
				v.add(pp.Child("name"), "duplicate port name %q", port.Name)
			}
			names.Insert(port.Name)
		}
		v.each(pp.Child("port"), "port", port.Port, validation.IsValidPortNum(int(port.Port)))
		if port.TargetPort.Type == intstr.String || port.TargetPort.IntVal != 0 {
			v.port(pp.Child("targetPort"), "targetPort", port.TargetPort)
		}
		if port.NodePort != 0 {
			v.each(pp.Child("nodePort"), "nodePort", port.NodePort, validation.IsValidPortNum(int(port.NodePort)))
			if spec.Type != corev1.ServiceTypeNodePort && spec.Type != corev1.ServiceTypeLoadBalancer {
				v.add(pp.Child("nodePort"), "nodePort needs type NodePort or LoadBalancer, not %q", spec.Type)
			}
		}
	}
}

func (v *validator) keys(p *field.Path, keys []string) {
	for _, k := range keys {
		v.each(p.Key(k), "key", k, validation.IsConfigMapKey(k))
	}
}
