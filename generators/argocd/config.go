package argocd

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/argoproj/argo-cd/v3/util/settings"
	"github.com/hue-platform/hue-gitops/generators/manifest"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/yaml"
)

// Keys of argocd-cm that Argo CD's settings manager reads.
const (
	KeyResourceExclusions = "resource.exclusions"
	KeyResourceSelectors  = "resource.selectors"
)

// StockExclusions is the resource.exclusions of the argocd-cm that Argo CD v3.6.1 installs
// (manifests/base/config/argocd-cm.yaml; a test compares the two). Setting the key replaces
// the whole list, so ours starts from it.
var StockExclusions = []settings.FilteredResource{
	{APIGroups: []string{"", "discovery.k8s.io"}, Kinds: []string{"Endpoints", "EndpointSlice"}},
	{APIGroups: []string{"coordination.k8s.io"}, Kinds: []string{"Lease"}},
	{APIGroups: []string{"authentication.k8s.io", "authorization.k8s.io"}, Kinds: []string{
		"SelfSubjectReview", "TokenReview", "LocalSubjectAccessReview", "SelfSubjectAccessReview", "SelfSubjectRulesReview", "SubjectAccessReview"}},
	{APIGroups: []string{"certificates.k8s.io"}, Kinds: []string{"CertificateSigningRequest"}},
	{APIGroups: []string{"cert-manager.io"}, Kinds: []string{"CertificateRequest"}},
	{APIGroups: []string{"cilium.io"}, Kinds: []string{"CiliumIdentity", "CiliumEndpoint", "CiliumEndpointSlice"}},
	{APIGroups: []string{"kyverno.io", "reports.kyverno.io", "wgpolicyk8s.io"}, Kinds: []string{
		"PolicyReport", "ClusterPolicyReport", "EphemeralReport", "ClusterEphemeralReport", "AdmissionReport",
		"ClusterAdmissionReport", "BackgroundScanReport", "ClusterBackgroundScanReport", "UpdateRequest"}},
}

// ResourceFilter is what argocd-cm tells Argo CD to watch: the stock exclusions without the
// kinds the fleet renders (Argo CD never applies an excluded kind, and still reports the app
// Synced), and, for each kind let back in, a label selector every rendered object of that kind
// matches, so the watch stays as narrow as the stock exclusion meant it to be (the data-store
// EndpointSlices, not every slice the EndpointSlice controller writes).
func ResourceFilter(rendered map[string][]manifest.Object) (exclusions, selectors []settings.FilteredResource, err error) {
	renderedGK := map[metav1.GroupKind]bool{}
	for _, objs := range rendered {
		for _, o := range objs {
			gvk := o.GroupVersionKind()
			renderedGK[metav1.GroupKind{Group: gvk.Group, Kind: gvk.Kind}] = true
		}
	}
	readmitted := map[metav1.GroupKind]bool{}
	for _, ex := range StockExclusions {
		hit := false
		for gk := range renderedGK {
			if ex.Match(gk.Group, gk.Kind, "") {
				hit = true
				readmitted[gk] = true
			}
		}
		if !hit {
			exclusions = append(exclusions, ex)
			continue
		}
		// Split the entry by group and leave the rendered kinds out; only literal entries can be
		// split, and the stock list has no other.
		for _, g := range ex.APIGroups {
			if strings.ContainsAny(g, "*?[") || len(ex.Kinds) == 0 || slices.Contains(ex.Kinds, "*") {
				return nil, nil, fmt.Errorf("stock exclusion %v excludes a rendered kind and is a pattern", ex)
			}
			var kinds []string
			for _, k := range ex.Kinds {
				if !renderedGK[metav1.GroupKind{Group: g, Kind: k}] {
					kinds = append(kinds, k)
				}
			}
			if len(kinds) > 0 {
				exclusions = append(exclusions, settings.FilteredResource{APIGroups: []string{g}, Kinds: kinds})
			}
		}
	}
	for _, gk := range sortedGKs(readmitted) {
		var common map[string]string
		for _, name := range slices.Sorted(maps.Keys(rendered)) {
			for _, o := range rendered[name] {
				gvk := o.GroupVersionKind()
				if gvk.Group != gk.Group || gvk.Kind != gk.Kind {
					continue
				}
				if common == nil {
					common = maps.Clone(o.GetLabels())
					if common == nil {
						common = map[string]string{}
					}
					continue
				}
				l := o.GetLabels()
				for k, v := range common {
					if l[k] != v {
						delete(common, k)
					}
				}
			}
		}
		if len(common) == 0 {
			continue
		}
		selectors = append(selectors, settings.FilteredResource{APIGroups: []string{gk.Group}, Kinds: []string{gk.Kind},
			Selector: labels.SelectorFromSet(common).String()})
	}
	return exclusions, selectors, nil
}

// argoConfig is the part of argocd-cm the platform needs; applied over Argo CD's install, it
// leaves every other key as installed.
func argoConfig(rendered map[string][]manifest.Object) (*corev1.ConfigMap, error) {
	exclusions, selectors, err := ResourceFilter(rendered)
	if err != nil {
		return nil, err
	}
	data := map[string]string{}
	ex, err := yaml.Marshal(exclusions)
	if err != nil {
		return nil, err
	}
	data[KeyResourceExclusions] = string(ex)
	if len(selectors) > 0 {
		sel, err := yaml.Marshal(selectors)
		if err != nil {
			return nil, err
		}
		data[KeyResourceSelectors] = string(sel)
	}
	return &corev1.ConfigMap{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{
			Name:      ArgoConfigMap,
			Namespace: ArgoNamespace,
			// Argo CD's settings informer only sees ConfigMaps of this label.
			Labels: map[string]string{LabelPartOf: "argocd", "app.kubernetes.io/name": ArgoConfigMap},
		},
		Data: data,
	}, nil
}

// ArgoFilter reads an argocd-cm's resource filter with Argo CD's own types.
func ArgoFilter(cm *corev1.ConfigMap) (*settings.ResourcesFilter, error) {
	rf := &settings.ResourcesFilter{}
	for key, dst := range map[string]*[]settings.FilteredResource{
		KeyResourceExclusions: &rf.ResourceExclusions, "resource.inclusions": &rf.ResourceInclusions, KeyResourceSelectors: &rf.ResourceSelectors,
	} {
		if v, ok := cm.Data[key]; ok {
			if err := yaml.UnmarshalStrict([]byte(v), dst); err != nil {
				return nil, fmt.Errorf("data.%s: %w", key, err)
			}
		}
	}
	for i, s := range rf.ResourceSelectors {
		if _, err := labels.Parse(s.Selector); err != nil {
			return nil, fmt.Errorf("data.%s[%d].selector: %w", KeyResourceSelectors, i, err)
		}
	}
	return rf, nil
}
