package schema

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	nodev1 "k8s.io/api/node/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	kjson "sigs.k8s.io/json"

	"github.com/hue-platform/hue-gitops/generators/check"
	"github.com/hue-platform/hue-gitops/generators/kubevalidate"
	"github.com/hue-platform/hue-gitops/generators/manifest"
)

// ID is the check id of the findings of this package.
const ID = "schema"

// skippedGroups are API groups whose objects are validated by their own tooling.
var skippedGroups = map[string]bool{
	"argoproj.io":      true, // Argo CD Applications, AppProjects, ApplicationSets
	"platform.hue.dev": true, // the platform's own kinds (generators/api/v1alpha1)
}

var (
	scheme = newScheme()
	// servedVersions lists, by group and kind, the versions the scheme knows.
	servedVersions = map[schema.GroupKind][]string{}
)

func newScheme() *runtime.Scheme {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		corev1.AddToScheme, appsv1.AddToScheme, batchv1.AddToScheme, networkingv1.AddToScheme,
		policyv1.AddToScheme, rbacv1.AddToScheme, autoscalingv1.AddToScheme, autoscalingv2.AddToScheme,
		discoveryv1.AddToScheme, schedulingv1.AddToScheme, storagev1.AddToScheme, nodev1.AddToScheme,
		coordinationv1.AddToScheme, admissionregistrationv1.AddToScheme,
	} {
		if err := add(s); err != nil {
			panic(err)
		}
	}
	for gvk := range s.AllKnownTypes() {
		servedVersions[gvk.GroupKind()] = append(servedVersions[gvk.GroupKind()], gvk.Version)
	}
	for _, vs := range servedVersions {
		slices.Sort(vs)
	}
	return s
}

// Check runs the schema check on every object of one rendered cluster.
func Check(c *check.Cluster) []check.Finding {
	var out []check.Finding
	for _, o := range c.Objects {
		report := func(sev check.Severity, fieldPath, format string, args ...any) {
			out = append(out, c.Finding(ID, sev, o, fieldPath, format, args...))
		}
		checkObject(o, report)
	}
	check.Sort(out)
	return out
}

type reporter func(sev check.Severity, fieldPath, format string, args ...any)

func checkObject(o manifest.Object, report reporter) {
	gvk := o.GroupVersionKind()
	if o.GetAPIVersion() == "" || gvk.Kind == "" {
		report(check.SeverityError, "", "apiVersion and kind are required")
		return
	}
	if skippedGroups[gvk.Group] {
		return
	}
	if !scheme.Recognizes(gvk) {
		if vs := servedVersions[gvk.GroupKind()]; len(vs) > 0 {
			report(check.SeverityError, "apiVersion", "%s is not a served version of %s; known versions: %s",
				o.GetAPIVersion(), gvk.Kind, strings.Join(vs, ", "))
			return
		}
		report(check.SeverityWarning, "", "unknown kind, not schema-checked (%s %s)", o.GetAPIVersion(), gvk.Kind)
		return
	}
	typed, err := scheme.New(gvk)
	if err != nil {
		report(check.SeverityError, "", "cannot make a %s: %v", gvk, err)
		return
	}
	data, err := json.Marshal(o.Object)
	if err != nil {
		report(check.SeverityError, "", "cannot encode: %v", err)
		return
	}
	strict, err := kjson.UnmarshalStrict(data, typed, kjson.DisallowUnknownFields, kjson.DisallowDuplicateFields)
	for _, se := range strict {
		fe := manifest.FieldError(se)
		report(check.SeverityError, fe.Field, "%s", fe.Detail)
	}
	if err != nil {
		for _, l := range locate(o.Object, err) {
			report(check.SeverityError, l.field, "%s", l.message)
		}
		return
	}
	if !kubevalidate.Known(gvk.GroupKind()) {
		return
	}
	res, err := kubevalidate.Validate(typed)
	if err != nil {
		report(check.SeverityError, "", "%v", err)
		return
	}
	for _, e := range res.Errors {
		report(check.SeverityError, e.Field, "%s", e.ErrorBody())
	}
	for _, w := range res.Warnings {
		report(check.SeverityWarning, "", "API server warning: %s", w)
	}
}

type located struct {
	field   string
	message string
}

// locate turns a decoding error into findings with the fields they concern, as precisely as the
// error and the object allow: a wrong type names its path without list indexes, which the
// object fills in.
func locate(obj map[string]any, err error) []located {
	fe := manifest.FieldError(err)
	if fe.Got != "" && fe.Field != "" {
		if paths := findPaths(obj, strings.Split(fe.Field, "."), "", fe.Got); len(paths) > 0 {
			return []located{{field: paths[0], message: fe.Detail}}
		}
		return []located{{field: fe.Field, message: fe.Detail}}
	}
	if fe.Got != "" {
		return []located{{message: fe.Detail}}
	}
	if errors.Is(err, resource.ErrFormatWrong) {
		var out []located
		walkQuantities(obj, "", "", func(path string, v any) {
			s := fmt.Sprint(v)
			if _, err := resource.ParseQuantity(s); err != nil {
				out = append(out, located{field: path, message: fmt.Sprintf("invalid quantity %q (want a number with an optional suffix, like 500m or 1Gi)", s)})
			}
		})
		if len(out) > 0 {
			return out
		}
	}
	return []located{{message: fe.Detail}}
}

// jsonType names the JSON type of a decoded value as encoding/json errors do.
func jsonType(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case bool:
		return "bool"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case nil:
		return "null"
	default:
		return "number"
	}
}

// findPaths resolves a dotted Go decoding path (no list indexes, embedded struct names in it)
// against the object, returning the full paths whose value has the given JSON type.
func findPaths(node any, segs []string, prefix, wantType string) []string {
	if len(segs) == 0 {
		if list, ok := node.([]any); ok && wantType != "array" {
			var out []string
			for i, el := range list {
				out = append(out, findPaths(el, nil, fmt.Sprintf("%s[%d]", prefix, i), wantType)...)
			}
			return out
		}
		if jsonType(node) == wantType {
			return []string{prefix}
		}
		return nil
	}
	switch n := node.(type) {
	case map[string]any:
		if child, ok := n[segs[0]]; ok {
			return findPaths(child, segs[1:], join(prefix, segs[0]), wantType)
		}
		if s := segs[0]; s != "" && s[0] >= 'A' && s[0] <= 'Z' { // an embedded struct, inlined in JSON
			return findPaths(node, segs[1:], prefix, wantType)
		}
	case []any:
		var out []string
		for i, el := range n {
			out = append(out, findPaths(el, segs, fmt.Sprintf("%s[%d]", prefix, i), wantType)...)
		}
		return out
	}
	return nil
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// quantityMaps are the keys whose values map resource names to quantities.
var quantityMaps = map[string]bool{
	"requests": true, "limits": true, "hard": true, "capacity": true, "allocatable": true, "overhead": true,
	"default": true, "defaultRequest": true, "max": true, "min": true, "maxLimitRequestRatio": true,
}

// walkQuantities calls fn on every value of the object that decodes into a resource.Quantity.
func walkQuantities(node any, key, path string, fn func(path string, v any)) {
	switch n := node.(type) {
	case map[string]any:
		keys := make([]string, 0, len(n))
		for k := range n {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			child := join(path, k)
			switch v := n[k].(type) {
			case map[string]any, []any:
				walkQuantities(v, k, child, fn)
			default:
				if quantityMaps[key] || k == "sizeLimit" || k == "averageValue" || key == "target" && k == "value" {
					fn(child, v)
				}
			}
		}
	case []any:
		for i, el := range n {
			walkQuantities(el, "", fmt.Sprintf("%s[%d]", path, i), fn)
		}
	}
}
