package manifest

import (
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Pod-bearing kinds, by API group and kind.
var (
	gkPod         = schema.GroupKind{Group: "", Kind: "Pod"}
	gkDeployment  = schema.GroupKind{Group: "apps", Kind: "Deployment"}
	gkStatefulSet = schema.GroupKind{Group: "apps", Kind: "StatefulSet"}
	gkDaemonSet   = schema.GroupKind{Group: "apps", Kind: "DaemonSet"}
	gkReplicaSet  = schema.GroupKind{Group: "apps", Kind: "ReplicaSet"}
	gkJob         = schema.GroupKind{Group: "batch", Kind: "Job"}
	gkCronJob     = schema.GroupKind{Group: "batch", Kind: "CronJob"}
)

// IsWorkload tells whether the object is of a pod-bearing kind, without decoding it.
func IsWorkload(o Object) bool {
	switch o.GroupVersionKind().GroupKind() {
	case gkPod, gkDeployment, gkStatefulSet, gkReplicaSet, gkDaemonSet, gkJob, gkCronJob:
		return true
	}
	return false
}

// IsDaemonSet tells whether the object is an apps DaemonSet.
func IsDaemonSet(o Object) bool {
	return o.GroupVersionKind().GroupKind() == gkDaemonSet
}

// PodTemplate extracts the pod template of a pod-bearing object: Deployment, StatefulSet,
// DaemonSet, ReplicaSet, Job, CronJob (its job template) or a bare Pod (its metadata and spec).
//
// replicas is the number of pods the object asks for at once (see the package comment; 1 for a
// DaemonSet, which runs one pod per node). fieldPrefix is the path of the pod spec inside the
// object, for building finding fields: "spec.template.spec",
// "spec.jobTemplate.spec.template.spec" or "spec" for a Pod. ok is false for any other kind; err
// is set when the object does not decode into its Go type (the schema check reports that).
func PodTemplate(o Object) (tmpl *corev1.PodTemplateSpec, replicas int32, fieldPrefix string, ok bool, err error) {
	gk := o.GroupVersionKind().GroupKind()
	switch gk {
	case gkPod:
		var p corev1.Pod
		if err := fromUnstructured(o, &p); err != nil {
			return nil, 0, "", true, err
		}
		return &corev1.PodTemplateSpec{ObjectMeta: p.ObjectMeta, Spec: p.Spec}, 1, "spec", true, nil
	case gkDeployment:
		var d appsv1.Deployment
		if err := fromUnstructured(o, &d); err != nil {
			return nil, 0, "", true, err
		}
		return &d.Spec.Template, replicasOr1(d.Spec.Replicas), "spec.template.spec", true, nil
	case gkStatefulSet:
		var s appsv1.StatefulSet
		if err := fromUnstructured(o, &s); err != nil {
			return nil, 0, "", true, err
		}
		return &s.Spec.Template, replicasOr1(s.Spec.Replicas), "spec.template.spec", true, nil
	case gkReplicaSet:
		var r appsv1.ReplicaSet
		if err := fromUnstructured(o, &r); err != nil {
			return nil, 0, "", true, err
		}
		return &r.Spec.Template, replicasOr1(r.Spec.Replicas), "spec.template.spec", true, nil
	case gkDaemonSet:
		var d appsv1.DaemonSet
		if err := fromUnstructured(o, &d); err != nil {
			return nil, 0, "", true, err
		}
		return &d.Spec.Template, 1, "spec.template.spec", true, nil
	case gkJob:
		var j batchv1.Job
		if err := fromUnstructured(o, &j); err != nil {
			return nil, 0, "", true, err
		}
		return &j.Spec.Template, jobParallelism(&j.Spec), "spec.template.spec", true, nil
	case gkCronJob:
		var cj batchv1.CronJob
		if err := fromUnstructured(o, &cj); err != nil {
			return nil, 0, "", true, err
		}
		js := &cj.Spec.JobTemplate.Spec
		return &js.Template, jobParallelism(js), "spec.jobTemplate.spec.template.spec", true, nil
	}
	return nil, 0, "", false, nil
}

func fromUnstructured(o Object, into any) error {
	return runtime.DefaultUnstructuredConverter.FromUnstructured(o.UnstructuredContent(), into)
}

func replicasOr1(r *int32) int32 {
	if r == nil {
		return 1
	}
	return *r
}

// jobParallelism is how many pods of a job run at once: parallelism (default 1), never more than
// completions when those are set.
func jobParallelism(js *batchv1.JobSpec) int32 {
	p := replicasOr1(js.Parallelism)
	if js.Completions != nil && *js.Completions < p {
		p = *js.Completions
	}
	return p
}
