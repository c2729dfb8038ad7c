// Package schema checks every rendered object against the Go types of the Kubernetes API it
// names (k8s.io/api, for the Kubernetes version the repository pins), strictly: an unknown field,
// a wrong type or an unparsable quantity is an error here rather than a field the API server
// silently prunes or a sync that Argo CD reports as failed. It then checks values the types alone
// accept but the API server or the kubelet would not: names of containers, ports and volumes,
// label keys and values, workload selectors against their template labels, Job restart
// policies, CronJob schedules, probe and Service ports, ConfigMap and Secret keys.
//
// Kinds outside the scheme are reported as warnings, except Argo CD's (argoproj.io) and the
// platform's own (platform.hue.dev), which are validated by their own tooling. Duplicate keys
// cannot be seen once a document is decoded into an unstructured object; Parse, which reads
// rendered YAML into objects, rejects them.
package schema
