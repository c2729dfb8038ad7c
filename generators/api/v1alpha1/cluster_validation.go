package v1alpha1

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

var (
	Fleets       = []string{FleetEnterprise, FleetScience, FleetSchool}
	Environments = []string{"staging", "production"}
)

// ApplyFleet fills every field the cluster leaves empty from its fleet's defaults, and returns
// the paths of the fields it filled (so that a problem in one is reported at the fleet file).
func (c *HueCluster) ApplyFleet(f *HueFleet) (inherited []string) {
	if f == nil {
		return nil
	}
	d := f.Spec.Defaults
	s := &c.Spec
	fill := func(dst *string, src, name string) {
		if *dst == "" && src != "" {
			*dst = src
			inherited = append(inherited, "spec."+name)
		}
	}
	fill(&s.Environment, d.Environment, "environment")
	fill(&s.Region, d.Region, "region")
	fill(&s.DataResidency, d.DataResidency, "dataResidency")
	fill(&s.Ring, d.Ring, "ring")
	if s.BareMetal == nil && d.BareMetal != nil {
		s.BareMetal = d.BareMetal
		inherited = append(inherited, "spec.bareMetal")
	}
	if s.HighAvailability == nil && d.HighAvailability != nil {
		s.HighAvailability = d.HighAvailability
		inherited = append(inherited, "spec.highAvailability")
	}
	if len(s.NodePools) == 0 && len(d.NodePools) > 0 {
		s.NodePools = append([]NodePool(nil), d.NodePools...)
		inherited = append(inherited, "spec.nodePools")
	}
	if len(s.Services) == 0 && len(d.Services) > 0 {
		s.Services = append([]string(nil), d.Services...)
		inherited = append(inherited, "spec.services")
	}
	if len(d.Overrides) > 0 {
		merged := map[string]ServiceOverride{}
		for k, v := range d.Overrides {
			merged[k] = v
			if _, own := s.Overrides[k]; !own {
				inherited = append(inherited, "spec.overrides["+k+"]")
			}
		}
		for k, v := range s.Overrides {
			merged[k] = v
		}
		s.Overrides = merged
	}
	if s.Ingress == nil && d.Ingress != nil {
		in := *d.Ingress
		s.Ingress = &in
		inherited = append(inherited, "spec.ingress")
	} else if s.Ingress != nil && d.Ingress != nil {
		fill(&s.Ingress.Exposure, d.Ingress.Exposure, "ingress.exposure")
		fill(&s.Ingress.ClassName, d.Ingress.ClassName, "ingress.className")
		fill(&s.Ingress.TLSSecret, d.Ingress.TLSSecret, "ingress.tlsSecret")
		if s.Ingress.NodePorts == nil && d.Ingress.NodePorts != nil {
			s.Ingress.NodePorts = d.Ingress.NodePorts
			inherited = append(inherited, "spec.ingress.nodePorts")
		}
	}
	return inherited
}

// InheritedFrom tells whether a field path lies in one of the inherited fields.
func InheritedFrom(fieldPath string, inherited []string) bool {
	for _, p := range inherited {
		if fieldPath == p || strings.HasPrefix(fieldPath, p+".") || strings.HasPrefix(fieldPath, p+"[") {
			return true
		}
	}
	return false
}

// Default fills what neither the cluster nor its fleet set.
func (c *HueCluster) Default() {
	s := &c.Spec
	if s.Environment == "" {
		s.Environment = "production"
	}
	if s.BareMetal == nil {
		s.BareMetal = ptr(false)
	}
	if s.HighAvailability == nil {
		s.HighAvailability = ptr(s.Environment == "production")
	}
	if s.Ingress == nil {
		s.Ingress = &IngressSpec{}
	}
	if s.Ingress.Exposure == "" {
		if *s.BareMetal {
			s.Ingress.Exposure = ExposureNodePort
		} else {
			s.Ingress.Exposure = ExposureIngress
		}
	}
	if s.Ingress.Exposure == ExposureIngress {
		if s.Ingress.TLSSecret == "" {
			s.Ingress.TLSSecret = "hue-tls"
		}
		if s.Ingress.ClassName == "" {
			s.Ingress.ClassName = "nginx"
		}
	}
	sort.Strings(s.Services)
}

// Validate checks one cluster on its own; catalog and cross-cluster rules live in Inventory.
func (c *HueCluster) Validate() field.ErrorList {
	errs := validateName(c.Name)
	s := &c.Spec
	spec := field.NewPath("spec")
	if !contains(Fleets, s.Fleet) {
		errs = append(errs, field.NotSupported(spec.Child("fleet"), s.Fleet, Fleets))
	}
	if !contains(Environments, s.Environment) {
		errs = append(errs, field.NotSupported(spec.Child("environment"), s.Environment, Environments))
	}
	if s.Region == "" {
		errs = append(errs, field.Required(spec.Child("region"), ""))
	} else {
		for _, msg := range validation.IsDNS1123Label(s.Region) {
			errs = append(errs, field.Invalid(spec.Child("region"), s.Region, msg))
		}
	}
	if s.DataResidency == "" {
		errs = append(errs, field.Required(spec.Child("dataResidency"), ""))
	} else {
		for _, msg := range validation.IsDNS1123Label(s.DataResidency) {
			errs = append(errs, field.Invalid(spec.Child("dataResidency"), s.DataResidency, msg))
		}
	}
	if s.Fleet == FleetSchool && s.Ring == "" {
		errs = append(errs, field.Required(spec.Child("ring"), "school clusters roll out by ring"))
	}
	if s.Fleet != FleetSchool && s.Ring != "" {
		errs = append(errs, field.Forbidden(spec.Child("ring"), "only school clusters have rings"))
	}

	errs = append(errs, validatePools(spec.Child("nodePools"), s.NodePools)...)

	if len(s.Services) == 0 {
		errs = append(errs, field.Required(spec.Child("services"), "a cluster runs at least one service"))
	}
	seen := map[string]bool{}
	for i, name := range s.Services {
		if seen[name] {
			errs = append(errs, field.Duplicate(spec.Child("services").Index(i), name))
		}
		seen[name] = true
	}
	for name, o := range s.Overrides {
		op := spec.Child("overrides").Key(name)
		if !seen[name] {
			errs = append(errs, field.Invalid(op, name, "override of a service the cluster does not run"))
		}
		errs = append(errs, ReplicasSpan.checkPtr(op.Child("replicas"), o.Replicas)...)
		if o.Tag != "" {
			if o.Tag == "latest" {
				errs = append(errs, field.Invalid(op.Child("tag"), o.Tag, "the latest tag is not allowed; pin a version"))
			}
			for _, msg := range validation.IsValidLabelValue(o.Tag) {
				errs = append(errs, field.Invalid(op.Child("tag"), o.Tag, msg))
			}
		}
	}

	in := s.Ingress
	ip := spec.Child("ingress")
	// The Ingress objects name them: apimachinery's rules for a Secret and an IngressClass name.
	for name, v := range map[string]string{"tlsSecret": in.TLSSecret, "className": in.ClassName} {
		if v == "" {
			continue
		}
		for _, msg := range validation.IsDNS1123Subdomain(v) {
			errs = append(errs, field.Invalid(ip.Child(name), v, msg))
		}
	}
	switch in.Exposure {
	case ExposureIngress:
		if in.Domain == "" {
			errs = append(errs, field.Required(ip.Child("domain"), "Ingress exposure needs a domain"))
		} else {
			for _, msg := range validation.IsDNS1123Subdomain(in.Domain) {
				errs = append(errs, field.Invalid(ip.Child("domain"), in.Domain, msg))
			}
		}
		if len(in.NodePorts) > 0 {
			errs = append(errs, field.Forbidden(ip.Child("nodePorts"), "NodePorts are for bare-metal NodePort exposure only"))
		}
	case ExposureNodePort:
		if !*s.BareMetal {
			errs = append(errs, field.Forbidden(ip.Child("exposure"), "NodePort exposure is allowed on bare-metal clusters only"))
		}
		used := map[int32]string{}
		for _, svc := range slices.Sorted(maps.Keys(in.NodePorts)) {
			port := in.NodePorts[svc]
			pp := ip.Child("nodePorts").Key(svc)
			errs = append(errs, NodePortSpan.Check(pp, int64(port))...)
			if other, ok := used[port]; ok {
				errs = append(errs, field.Duplicate(pp, port).WithOrigin(other))
			}
			used[port] = svc
			if !seen[svc] {
				errs = append(errs, field.Invalid(pp, svc, "node port for a service the cluster does not run"))
			}
		}
	default:
		errs = append(errs, field.NotSupported(ip.Child("exposure"), in.Exposure, []string{ExposureIngress, ExposureNodePort}))
	}

	tenants := map[string]bool{}
	for i, t := range s.Tenants {
		tp := spec.Child("tenants").Index(i)
		for _, msg := range validation.IsDNS1123Label(t) {
			errs = append(errs, field.Invalid(tp, t, msg))
		}
		if ns := TenantNamespace(t); len(t) > 0 && len(validation.IsDNS1123Label(t)) == 0 {
			for _, msg := range validation.IsDNS1123Label(ns) {
				errs = append(errs, field.Invalid(tp, t, fmt.Sprintf("its namespace %s: %s", ns, msg)))
			}
		}
		if tenants[t] {
			errs = append(errs, field.Duplicate(tp, t))
		}
		tenants[t] = true
	}
	if len(s.Tenants) > 0 && s.Fleet != FleetSchool {
		errs = append(errs, field.Forbidden(spec.Child("tenants"), "only a school district cluster hosts tenants"))
	}

	dp := spec.Child("destination")
	switch d := s.Destination; {
	case d == nil || (d.Server == "" && d.Name == ""):
		errs = append(errs, field.Required(dp, "Argo CD needs a destination server or name"))
	case d.Server != "" && d.Name != "":
		errs = append(errs, field.Invalid(dp.Child("name"), d.Name, "set server or name, not both"))
	case d.Server != "":
		if u, err := url.Parse(d.Server); err != nil || u.Scheme != "https" || u.Host == "" {
			errs = append(errs, field.Invalid(dp.Child("server"), d.Server, "must be an https URL"))
		}
	}
	return errs
}

func validatePools(p *field.Path, pools []NodePool) field.ErrorList {
	var errs field.ErrorList
	if len(pools) == 0 {
		return field.ErrorList{field.Required(p, "a cluster declares its node pools")}
	}
	names := map[string]bool{}
	general := false
	for i, np := range pools {
		pp := p.Index(i)
		for _, msg := range validation.IsDNS1123Label(np.Name) {
			errs = append(errs, field.Invalid(pp.Child("name"), np.Name, msg))
		}
		if names[np.Name] {
			errs = append(errs, field.Duplicate(pp.Child("name"), np.Name))
		}
		names[np.Name] = true
		errs = append(errs, NodePoolCountSpan.Check(pp.Child("count"), int64(np.Count))...)
		cpu, e1 := validateQuantity(pp.Child("capacity", "cpu"), np.Capacity.CPU, NodeCPUSpan)
		mem, e2 := validateQuantity(pp.Child("capacity", "memory"), np.Capacity.Memory, NodeMemorySpan)
		errs = append(append(errs, e1...), e2...)
		if len(e1) == 0 && cpu.IsZero() {
			errs = append(errs, field.Invalid(pp.Child("capacity", "cpu"), np.Capacity.CPU, "must be > 0"))
		}
		if len(e2) == 0 && mem.IsZero() {
			errs = append(errs, field.Invalid(pp.Child("capacity", "memory"), np.Capacity.Memory, "must be > 0"))
		}
		for _, k := range slices.Sorted(maps.Keys(np.Labels)) {
			lp := pp.Child("labels").Key(k)
			for _, msg := range validation.IsQualifiedName(k) {
				errs = append(errs, field.Invalid(lp, k, msg))
			}
			for _, msg := range validation.IsValidLabelValue(np.Labels[k]) {
				errs = append(errs, field.Invalid(lp, np.Labels[k], msg))
			}
		}
		if np.Labels[LabelPoolClass] == "general" && len(np.Taints) == 0 {
			general = true
		}
		for j, t := range np.Taints {
			tp := pp.Child("taints").Index(j)
			for _, msg := range validation.IsQualifiedName(t.Key) {
				errs = append(errs, field.Invalid(tp.Child("key"), t.Key, msg))
			}
			if t.Value != "" {
				for _, msg := range validation.IsValidLabelValue(t.Value) {
					errs = append(errs, field.Invalid(tp.Child("value"), t.Value, msg))
				}
			}
			switch t.Effect {
			case corev1.TaintEffectNoSchedule, corev1.TaintEffectPreferNoSchedule, corev1.TaintEffectNoExecute:
			default:
				errs = append(errs, field.NotSupported(tp.Child("effect"), t.Effect,
					[]corev1.TaintEffect{corev1.TaintEffectNoSchedule, corev1.TaintEffectPreferNoSchedule, corev1.TaintEffectNoExecute}))
			}
		}
	}
	if !general {
		errs = append(errs, field.Required(p, "at least one untainted pool labelled "+LabelPoolClass+"=general"))
	}
	return errs
}

func (f *HueFleet) Default() {}

func (f *HueFleet) Validate() field.ErrorList {
	errs := validateName(f.Name)
	if !contains(Fleets, f.Name) {
		errs = append(errs, field.NotSupported(field.NewPath("metadata", "name"), f.Name, Fleets))
	}
	seen := map[string]bool{}
	for i, r := range f.Spec.Rings {
		rp := field.NewPath("spec", "rings").Index(i)
		for _, msg := range validation.IsDNS1123Label(r) {
			errs = append(errs, field.Invalid(rp, r, msg))
		}
		if seen[r] {
			errs = append(errs, field.Duplicate(rp, r))
		}
		seen[r] = true
	}
	if f.Spec.Defaults.Fleet != "" && f.Spec.Defaults.Fleet != f.Name {
		errs = append(errs, field.Invalid(field.NewPath("spec", "defaults", "fleet"), f.Spec.Defaults.Fleet, "must match the fleet name"))
	}
	return errs
}
