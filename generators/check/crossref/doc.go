// Package crossref checks the references between the rendered objects of one cluster, all at
// once, because Kubernetes accepts every object on its own and only fails at run time: a Service
// whose targetPort names a port the container does not declare never connects, a missing ConfigMap, Secret, ServiceAccount or PVC
// keeps pods in ContainerCreating or makes the workload controller fail to create them, and an
// HPA, PDB or Ingress pointing at nothing silently does nothing.
//
// References are resolved within the rendered set and the object's namespace only. Objects that
// exist in the cluster but are not rendered by this repository must be declared: a Secret made
// in-cluster (a TLS certificate issued by cert-manager, a credential synced from a vault) is
// listed in the annotation hue.dev/external-secrets ("name1,name2") of the object carrying the
// reference, or of its pod template. References marked optional are not checked. A named port
// that does not exist is an error (the connection cannot resolve it); a numbered port that no
// container declares is a warning only, since the kubelet and kube-proxy use numbers whether
// they are declared or not.
package crossref
