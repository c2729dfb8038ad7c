package service

import (
	"fmt"
	"path"
	"regexp"

	apimeta "k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/hue-platform/hue-gitops/generators/api/v1alpha1"
	"github.com/hue-platform/hue-gitops/generators/kubevalidate"
)

// origin is the spec an object is generated from: the file a person edits and the object in it.
type origin struct {
	file, kind, name string
}

// specField maps a field of a generated object to the spec field whose value it carries. The
// first rule whose pattern matches the start of the generated path wins; rest keeps what
// follows the match when the spec type names it alike.
type specField struct {
	pattern *regexp.Regexp
	spec    string // a regexp replacement template
	rest    bool
}

func rule(pattern, spec string, rest bool) specField {
	return specField{pattern: regexp.MustCompile(`^` + pattern), spec: spec, rest: rest}
}

// The pod template sits at spec.template in a workload, and one level deeper in a CronJob.
const tmpl = `spec\.(?:jobTemplate\.spec\.)?template\.spec\.`

var specFields = []specField{
	rule(`metadata\.name\b`, "metadata.name", false),
	rule(`metadata\.labels\b`, "metadata.name", false),
	rule(`metadata\.annotations\b`, "spec.description", false),
	rule(`spec\.replicas\b`, "spec.replicas", false),
	rule(`spec\.minReplicas\b`, "spec.autoscaling.minReplicas", false),
	rule(`spec\.maxReplicas\b`, "spec.autoscaling.maxReplicas", false),
	rule(`spec\.metrics\b`, "spec.autoscaling.targetCPUUtilization", false),
	rule(`spec\.(schedule|timeZone|successfulJobsHistoryLimit|failedJobsHistoryLimit|concurrencyPolicy)\b`, "spec.cron.$1", false),
	rule(`spec\.(?:jobTemplate\.spec\.)?(completions|parallelism|backoffLimit|activeDeadlineSeconds|ttlSecondsAfterFinished)\b`, "spec.job.$1", false),
	rule(tmpl+`restartPolicy\b`, "spec.job.restartPolicy", false),
	rule(tmpl+`containers\[0\]\.image\b`, "spec.image", false),
	rule(tmpl+`containers\[0\]\.(command|args)\b`, "spec.$1", true),
	rule(tmpl+`containers\[0\]\.ports(\[\d+\])\.containerPort\b`, "spec.ports$1.port", false),
	rule(tmpl+`containers\[0\]\.(ports|env)(\[\d+\])`, "spec.$1$2", true),
	rule(tmpl+`containers\[0\]\.(ports|env)\b`, "spec.$1", false),
	rule(tmpl+`containers\[0\]\.resources\b`, "spec.resources", true),
	rule(tmpl+`containers\[0\]\.(liveness|readiness|startup)Probe\b`, "spec.probes.$1", true),
	rule(tmpl+`containers\[0\]\.volumeMounts\b`, "spec.storage.mountPath", false),
	rule(tmpl+`initContainers(\[\d+\])\.resources\b`, "spec.resources", true),
	rule(tmpl+`initContainers(\[\d+\])\.volumeMounts\b`, "spec.initContainers$1.workDir", false),
	rule(tmpl+`initContainers(\[\d+\])`, "spec.initContainers$1", true),
	rule(tmpl+`readinessGates(\[\d+\])`, "spec.readinessGates$1", false),
	rule(tmpl+`nodeSelector\b`, "spec.placement.nodeSelector", true),
	rule(tmpl+`affinity\b`, "spec.placement", false),
	rule(`spec\.volumeClaimTemplates\[0\]\.spec\.resources\b`, "spec.storage.size", false),
	// A Service's ports are the service's ports, in order; its name or external name are the
	// data store's.
	rule(`spec\.ports(\[\d+\])\.(port|name|protocol)\b`, "spec.ports$1.$2", false),
	rule(`spec\.externalName\b`, "spec.externalName", false),
	// One endpoint per address, in the spec's order.
	rule(`endpoints(\[\d+\])\.addresses`, "spec.addresses$1", false),
	rule(`rules(\[\d+\])`, "spec.apiAccess$1", true),
	rule(`spec\.hard\b`, "spec.quota", true),
}

// SpecField names the field of a HueService that produced a field of an object of its base, or
// "" when no field of the spec does (the generator's own choice: the object as a whole is named).
func SpecField(generated string) string {
	for _, r := range specFields {
		loc := r.pattern.FindStringSubmatchIndex(generated)
		if loc == nil {
			continue
		}
		out := string(r.pattern.ExpandString(nil, r.spec, generated, loc))
		if r.rest {
			out += generated[loc[1]:]
		}
		return out
	}
	return ""
}

// validate runs the API server's create validation (Kubernetes' own code) on every object
// generated from one spec. Each error names the spec file, the spec object and the spec field
// that produced the value, then the generated file, object and field it was found in.
func validate(from origin, dir string, objs []any) v1alpha1.Errors {
	var errs v1alpha1.Errors
	for _, o := range objs {
		ro, ok := o.(runtime.Object)
		if !ok {
			continue
		}
		gvk := ro.GetObjectKind().GroupVersionKind()
		if !kubevalidate.Known(gvk.GroupKind()) {
			continue
		}
		res, err := kubevalidate.Validate(ro)
		if err != nil {
			errs = append(errs, &v1alpha1.Error{File: from.file, Kind: from.kind, Name: from.name, Detail: err.Error()})
			continue
		}
		name := gvk.Kind
		if m, err := apimeta.Accessor(ro); err == nil {
			name += "/" + m.GetName()
		}
		generated := path.Join(dir, FileName(gvk.Kind))
		for _, fe := range res.Errors {
			errs = append(errs, &v1alpha1.Error{
				File: from.file, Kind: from.kind, Name: from.name, Field: SpecField(fe.Field),
				Detail: fmt.Sprintf("%s (the API server would refuse %s in %s: %s)", fe.ErrorBody(), name, generated, fe.Field),
			})
		}
	}
	return errs
}
