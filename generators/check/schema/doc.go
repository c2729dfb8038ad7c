// Package schema checks every rendered object as the API server would on a create. The object is
// first decoded strictly into the Go type of the Kubernetes API it names (k8s.io/api, for the
// Kubernetes version the repository pins), as a request with fieldValidation=Strict is: an unknown
// or duplicate field, a wrong type or an unparsable quantity is an error here rather than a field
// the API server prunes or a sync that Argo CD reports as failed. Objects of the kinds
// generators/kubevalidate knows then go through Kubernetes' own defaulting, conversion and
// create strategy (its validation and its warnings); no rule is restated here.
//
// Kinds outside the scheme are reported as warnings, except Argo CD's (argoproj.io) and the
// platform's own (platform.hue.dev), which are validated by their own tooling. Duplicate keys
// cannot be seen once a document is decoded into an unstructured object; Parse, which reads
// rendered YAML into objects, rejects them.
package schema
