package v1alpha1

import "net/netip"

// PodSecurityPrivileged is the Pod Security level of the one compartment with host access.
const PodSecurityPrivileged = "privileged"

// The roles a compartment grants a group (HueCompartment spec.access[].role). Kubernetes' edit
// and admin are not among them: they read Secrets and create pods under any service account.
const (
	RoleView    = "view"
	RoleOperate = "operate"
)

// AccessRoles are the roles a compartment may grant.
var AccessRoles = []string{RoleView, RoleOperate}

// PlatformNamespaces are namespaces of Kubernetes and of the platform's tools (besides every
// kube-* one): a compartment never takes one.
var PlatformNamespaces = []string{"default", "argocd", "cert-manager", "ingress-nginx"}

// metadataAddresses are cloud metadata services outside the link-local range Kubernetes
// already refuses: AWS's IPv6 endpoint and Alibaba Cloud's.
var metadataAddresses = []netip.Addr{netip.MustParseAddr("fd00:ec2::254"), netip.MustParseAddr("100.100.100.200")}

// TenantNamespace is the namespace of one school on a shared district cluster.
func TenantNamespace(tenant string) string { return "hue-" + tenant }
