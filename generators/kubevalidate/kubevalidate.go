// Package kubevalidate validates objects of the built-in Kubernetes kinds with the code the
// kube-apiserver runs on a create: each kind's registry strategy from k8s.io/kubernetes (its
// PrepareForCreate, its validation, its warnings), after the defaults of the versioned type and the
// conversion to the internal type, as the API server's decoder does. Nothing here restates a rule.
package kubevalidate

import (
	"context"
	"fmt"
	"sync"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/apiserver/pkg/warning"
	"k8s.io/kubernetes/pkg/api/legacyscheme"
	"k8s.io/kubernetes/pkg/apis/core"

	_ "k8s.io/kubernetes/pkg/apis/admissionregistration/install"
	_ "k8s.io/kubernetes/pkg/apis/apps/install"
	_ "k8s.io/kubernetes/pkg/apis/autoscaling/install"
	_ "k8s.io/kubernetes/pkg/apis/batch/install"
	_ "k8s.io/kubernetes/pkg/apis/coordination/install"
	_ "k8s.io/kubernetes/pkg/apis/core/install"
	_ "k8s.io/kubernetes/pkg/apis/discovery/install"
	_ "k8s.io/kubernetes/pkg/apis/networking/install"
	_ "k8s.io/kubernetes/pkg/apis/node/install"
	_ "k8s.io/kubernetes/pkg/apis/policy/install"
	_ "k8s.io/kubernetes/pkg/apis/rbac/install"
	_ "k8s.io/kubernetes/pkg/apis/scheduling/install"
	_ "k8s.io/kubernetes/pkg/apis/storage/install"

	"k8s.io/kubernetes/pkg/registry/admissionregistration/mutatingwebhookconfiguration"
	"k8s.io/kubernetes/pkg/registry/admissionregistration/validatingwebhookconfiguration"
	"k8s.io/kubernetes/pkg/registry/apps/controllerrevision"
	"k8s.io/kubernetes/pkg/registry/apps/daemonset"
	"k8s.io/kubernetes/pkg/registry/apps/deployment"
	"k8s.io/kubernetes/pkg/registry/apps/replicaset"
	"k8s.io/kubernetes/pkg/registry/apps/statefulset"
	"k8s.io/kubernetes/pkg/registry/autoscaling/horizontalpodautoscaler"
	"k8s.io/kubernetes/pkg/registry/batch/cronjob"
	"k8s.io/kubernetes/pkg/registry/batch/job"
	"k8s.io/kubernetes/pkg/registry/coordination/lease"
	"k8s.io/kubernetes/pkg/registry/core/configmap"
	"k8s.io/kubernetes/pkg/registry/core/endpoint"
	"k8s.io/kubernetes/pkg/registry/core/limitrange"
	"k8s.io/kubernetes/pkg/registry/core/namespace"
	"k8s.io/kubernetes/pkg/registry/core/persistentvolume"
	"k8s.io/kubernetes/pkg/registry/core/persistentvolumeclaim"
	"k8s.io/kubernetes/pkg/registry/core/pod"
	"k8s.io/kubernetes/pkg/registry/core/podtemplate"
	"k8s.io/kubernetes/pkg/registry/core/replicationcontroller"
	"k8s.io/kubernetes/pkg/registry/core/resourcequota"
	"k8s.io/kubernetes/pkg/registry/core/secret"
	"k8s.io/kubernetes/pkg/registry/core/service"
	"k8s.io/kubernetes/pkg/registry/core/serviceaccount"
	"k8s.io/kubernetes/pkg/registry/discovery/endpointslice"
	"k8s.io/kubernetes/pkg/registry/networking/ingress"
	"k8s.io/kubernetes/pkg/registry/networking/ingressclass"
	"k8s.io/kubernetes/pkg/registry/networking/networkpolicy"
	"k8s.io/kubernetes/pkg/registry/node/runtimeclass"
	"k8s.io/kubernetes/pkg/registry/policy/poddisruptionbudget"
	"k8s.io/kubernetes/pkg/registry/rbac/clusterrole"
	"k8s.io/kubernetes/pkg/registry/rbac/clusterrolebinding"
	"k8s.io/kubernetes/pkg/registry/rbac/role"
	"k8s.io/kubernetes/pkg/registry/rbac/rolebinding"
	"k8s.io/kubernetes/pkg/registry/scheduling/priorityclass"
	"k8s.io/kubernetes/pkg/registry/storage/csidriver"
	"k8s.io/kubernetes/pkg/registry/storage/storageclass"
)

// strategies are the create strategies of the kinds the platform renders, by group and kind.
var strategies = map[schema.GroupKind]rest.RESTCreateStrategy{
	{Group: "admissionregistration.k8s.io", Kind: "MutatingWebhookConfiguration"}:   mutatingwebhookconfiguration.Strategy,
	{Group: "admissionregistration.k8s.io", Kind: "ValidatingWebhookConfiguration"}: validatingwebhookconfiguration.Strategy,
	{Group: "apps", Kind: "ControllerRevision"}:                                     controllerrevision.Strategy,
	{Group: "apps", Kind: "DaemonSet"}:                                              daemonset.Strategy,
	{Group: "apps", Kind: "Deployment"}:                                             deployment.Strategy,
	{Group: "apps", Kind: "ReplicaSet"}:                                             replicaset.Strategy,
	{Group: "apps", Kind: "StatefulSet"}:                                            statefulset.Strategy,
	{Group: "autoscaling", Kind: "HorizontalPodAutoscaler"}:                         horizontalpodautoscaler.Strategy,
	{Group: "batch", Kind: "CronJob"}:                                               cronjob.Strategy,
	{Group: "batch", Kind: "Job"}:                                                   job.Strategy,
	{Group: "coordination.k8s.io", Kind: "Lease"}:                                   lease.Strategy,
	{Kind: "ConfigMap"}:                                                             configmap.Strategy,
	{Kind: "Endpoints"}:                                                             endpoint.Strategy,
	{Kind: "LimitRange"}:                                                            limitrange.Strategy,
	{Kind: "Namespace"}:                                                             namespace.Strategy,
	{Kind: "PersistentVolume"}:                                                      persistentvolume.Strategy,
	{Kind: "PersistentVolumeClaim"}:                                                 persistentvolumeclaim.Strategy,
	{Kind: "Pod"}:                                                                   pod.Strategy,
	{Kind: "PodTemplate"}:                                                           podtemplate.Strategy,
	{Kind: "ReplicationController"}:                                                 replicationcontroller.Strategy,
	{Kind: "ResourceQuota"}:                                                         resourcequota.Strategy,
	{Kind: "Secret"}:                                                                secret.Strategy,
	{Kind: "Service"}:                                                               service.Strategy,
	{Kind: "ServiceAccount"}:                                                        serviceaccount.Strategy,
	{Group: "discovery.k8s.io", Kind: "EndpointSlice"}:                              endpointslice.Strategy,
	{Group: "networking.k8s.io", Kind: "Ingress"}:                                   ingress.Strategy,
	{Group: "networking.k8s.io", Kind: "IngressClass"}:                              ingressclass.Strategy,
	{Group: "networking.k8s.io", Kind: "NetworkPolicy"}:                             networkpolicy.Strategy,
	{Group: "node.k8s.io", Kind: "RuntimeClass"}:                                    runtimeclass.Strategy,
	{Group: "policy", Kind: "PodDisruptionBudget"}:                                  poddisruptionbudget.Strategy,
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRole"}:                       clusterrole.Strategy,
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRoleBinding"}:                clusterrolebinding.Strategy,
	{Group: "rbac.authorization.k8s.io", Kind: "Role"}:                              role.Strategy,
	{Group: "rbac.authorization.k8s.io", Kind: "RoleBinding"}:                       rolebinding.Strategy,
	{Group: "scheduling.k8s.io", Kind: "PriorityClass"}:                             priorityclass.Strategy,
	{Group: "storage.k8s.io", Kind: "CSIDriver"}:                                    csidriver.Strategy,
	{Group: "storage.k8s.io", Kind: "StorageClass"}:                                 storageclass.Strategy,
}

// Known reports whether objects of the group and kind are validated here.
func Known(gk schema.GroupKind) bool {
	_, ok := strategies[gk]
	return ok
}

// Result is what the API server would say to a create of one object.
type Result struct {
	// Errors are the field errors that make the create fail (HTTP 422).
	Errors field.ErrorList
	// Warnings are the warnings the API server would send back with a successful create.
	Warnings []string
}

type recorder struct {
	mu       sync.Mutex
	warnings []string
}

func (r *recorder) AddWarning(_, text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.warnings = append(r.warnings, text)
}

// Validate runs the create path of the API server on a copy of a versioned object (a type of
// k8s.io/api whose kind Known accepts): defaults, conversion to the internal version, system
// metadata, the namespace of the request (the object's own, or "default" as kubectl would
// send), then the kind's strategy. The object given is not changed.
func Validate(obj runtime.Object) (Result, error) {
	gvk := obj.GetObjectKind().GroupVersionKind()
	strategy, ok := strategies[gvk.GroupKind()]
	if !ok {
		return Result{}, fmt.Errorf("%s is not a kind validated here", gvk.GroupKind())
	}
	versioned := obj.DeepCopyObject()
	legacyscheme.Scheme.Default(versioned)
	internal, err := legacyscheme.Scheme.ConvertToVersion(versioned, schema.GroupVersion{Group: gvk.Group, Version: runtime.APIVersionInternal})
	if err != nil {
		return Result{}, fmt.Errorf("converting %s to its internal version: %w", gvk.Kind, err)
	}
	m, err := meta.Accessor(internal)
	if err != nil {
		return Result{}, err
	}
	rest.FillObjectMetaSystemFields(m)
	ns := ""
	if strategy.NamespaceScoped() {
		ns = m.GetNamespace()
		if ns == "" {
			ns = metav1.NamespaceDefault
		}
	}
	rec := &recorder{}
	ctx := genericapirequest.WithNamespace(context.Background(), ns)
	ctx = warning.WithWarningRecorder(ctx, rec)
	// Declarative validation picks the rules of the version the request was made in.
	resource, _ := meta.UnsafeGuessKindToResource(gvk)
	ctx = genericapirequest.WithRequestInfo(ctx, &genericapirequest.RequestInfo{
		IsResourceRequest: true, Verb: "create", APIPrefix: "apis", APIGroup: gvk.Group, APIVersion: gvk.Version,
		Resource: resource.Resource, Namespace: ns, Name: m.GetName(),
	})
	// The steps of rest.BeforeCreate, kept apart so that the field errors stay typed.
	if err := rest.EnsureObjectNamespaceMatchesRequestNamespace(rest.ExpectedNamespaceForScope(ns, strategy.NamespaceScoped()), m); err != nil {
		return Result{}, err
	}
	if svc, ok := internal.(*core.Service); ok {
		normalizeClusterIPs(svc)
	}
	strategy.PrepareForCreate(ctx, internal)
	res := Result{Errors: rest.ValidateCreate(ctx, internal, strategy)}
	if len(res.Errors) == 0 {
		for _, w := range strategy.WarningsOnCreate(ctx, internal) {
			warning.AddWarning(ctx, "", w)
		}
	}
	res.Warnings = rec.warnings
	return res, nil
}

// normalizeClusterIPs is the one step of the Service storage's create (before its strategy) that
// does not need the cluster: a Service naming only clusterIP (such as None, headless) gets the
// same single value in clusterIPs. Allocating addresses and node ports is the cluster's own work.
func normalizeClusterIPs(svc *core.Service) {
	if svc.Spec.ClusterIP != "" && len(svc.Spec.ClusterIPs) == 0 {
		svc.Spec.ClusterIPs = []string{svc.Spec.ClusterIP}
	}
}
