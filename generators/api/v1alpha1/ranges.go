package v1alpha1

import (
	"fmt"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Span is the range a numeric input must lie in. The bounds are far beyond any cluster Hue
// runs on, and keep every check's work proportional to the shape of the input, not to its
// numbers; README's "Numeric ranges" table lists them.
type Span struct{ Min, Max int64 }

// The ranges of the numeric inputs of the specs.
var (
	ReplicasSpan               = Span{0, 1000}       // spec.replicas, overrides[].replicas
	AutoscalingSpan            = Span{1, 1000}       // autoscaling.minReplicas, maxReplicas
	CPUTargetSpan              = Span{1, 100}        // autoscaling.targetCPUUtilization, percent
	ProbeSecondsSpan           = Span{0, 3600}       // probes: initialDelaySeconds, timeoutSeconds, periodSeconds
	ProbeThresholdSpan         = Span{0, 100}        // probes: failureThreshold (0: the Kubernetes default)
	CompletionsSpan            = Span{1, 10000}      // job.completions
	ParallelismSpan            = Span{1, 1000}       // job.parallelism
	BackoffSpan                = Span{0, 100}        // job.backoffLimit
	JobSecondsSpan             = Span{1, 30 * 86400} // job.activeDeadlineSeconds, job.ttlSecondsAfterFinished: 30 days
	HistorySpan                = Span{0, 100}        // cron.successfulJobsHistoryLimit, failedJobsHistoryLimit
	NodePoolCountSpan          = Span{1, 5000}       // nodePools[].count: Kubernetes' own scalability limit per cluster
	NodePortSpan               = Span{30000, 32767}  // ingress.nodePorts: the default service-node-port-range
	DataStoreRegionsSpan       = Span{1, 64}         // data store regions
	DataStoreRangesSpan        = Span{0, 64}         // data store regions[].ranges
	PrefixSpanIPv4             = Span{8, 32}         // data store ranges, IPv4 prefix length
	PrefixSpanIPv6             = Span{32, 128}       // data store ranges, IPv6 prefix length
	ttlMinimum           int64 = 0                   // a TTL of 0 deletes a finished Job at once
)

// Check reports v at p when it is outside the span.
func (s Span) Check(p *field.Path, v int64) field.ErrorList {
	if v < s.Min || v > s.Max {
		return field.ErrorList{field.Invalid(p, v, fmt.Sprintf("must be between %d and %d", s.Min, s.Max))}
	}
	return nil
}

// checkPtr is Check for an optional value.
func (s Span) checkPtr(p *field.Path, v *int32) field.ErrorList {
	if v == nil {
		return nil
	}
	return s.Check(p, int64(*v))
}

// QuantitySpan is the largest value a quantity input may take (never negative).
type QuantitySpan struct{ Max resource.Quantity }

// The ranges of the quantity inputs.
var (
	PodCPUSpan       = QuantitySpan{resource.MustParse("256")}    // resources (per container): cpu
	PodMemorySpan    = QuantitySpan{resource.MustParse("4Ti")}    // resources (per container): memory
	PodEphemeralSpan = QuantitySpan{resource.MustParse("1Ti")}    // resources (per container): ephemeralStorage
	NodeCPUSpan      = QuantitySpan{resource.MustParse("1024")}   // nodePools[].capacity.cpu, per node
	NodeMemorySpan   = QuantitySpan{resource.MustParse("64Ti")}   // nodePools[].capacity.memory, per node
	StorageSpan      = QuantitySpan{resource.MustParse("64Ti")}   // storage.size
	QuotaCPUSpan     = QuantitySpan{resource.MustParse("100000")} // compartment quota: cpu
	QuotaMemorySpan  = QuantitySpan{resource.MustParse("1Pi")}    // compartment quota: memory
)

// validateQuantity parses an optional quantity and checks it is neither negative nor above the
// span's maximum.
func validateQuantity(p *field.Path, v string, span QuantitySpan) (resource.Quantity, field.ErrorList) {
	if v == "" {
		return resource.Quantity{}, nil
	}
	q, err := resource.ParseQuantity(v)
	if err != nil {
		return q, field.ErrorList{field.Invalid(p, v, err.Error())}
	}
	if q.Sign() < 0 {
		return q, field.ErrorList{field.Invalid(p, v, "must not be negative")}
	}
	if q.Cmp(span.Max) > 0 {
		return q, field.ErrorList{field.Invalid(p, v, "must be at most "+span.Max.String())}
	}
	return q, nil
}

// Defaults of a container's ephemeral storage, and the size of an init container's work
// folder (an emptyDir, bounded like every emptyDir).
const (
	DefaultEphemeralRequest = "64Mi"
	DefaultEphemeralLimit   = "512Mi"
	WorkDirSize             = "256Mi"
)
