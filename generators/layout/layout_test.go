package layout

import "testing"

func TestGenerated(t *testing.T) {
	for p, want := range map[string]bool{
		"base/identity/deployment.yaml":                   true,
		"base/identity/hue.yaml":                          false,
		"shapes/school-a/kustomization.yaml":              true,
		"overlays/school-ashford/kustomization.yaml":      true,
		"clusters/school/school-ashford.yaml":             false,
		"clusters/school/fleet.yaml":                      false,
		"clusters/registry.yaml":                          false,
		"clusters/school/argocd/apps/applicationset.yaml": true,
		"components/ha/kustomization.yaml":                false,
		"policies/waivers.yaml":                           false,
		"base":                                            false,
	} {
		if got := Generated(p); got != want {
			t.Errorf("Generated(%q) = %v, want %v", p, got, want)
		}
	}
}

func TestOverlayOf(t *testing.T) {
	for p, want := range map[string]string{
		"overlays/school-ashford":     "school-ashford",
		"/overlays/school-ashford/":   "school-ashford",
		"overlays/a/../b":             "b",
		"overlays":                    "",
		"overlays/a/b":                "",
		"shapes/a":                    "",
		"clusters/school/argocd/apps": "",
	} {
		got, ok := OverlayOf(p)
		if got != want || ok != (want != "") {
			t.Errorf("OverlayOf(%q) = %q, %v, want %q", p, got, ok, want)
		}
	}
	if c, ok := AppsFolderCluster("clusters/enterprise/argocd/apps/prod-dc1"); !ok || c != "prod-dc1" {
		t.Errorf("AppsFolderCluster = %q, %v", c, ok)
	}
	if _, ok := AppsFolderCluster("clusters/school/argocd/apps"); ok {
		t.Error("the school apps folder names no cluster")
	}
	if !InArgoDir("clusters/school/argocd/apps") || InArgoDir("clusters/school/argocdx") || InArgoDir("overlays/a") {
		t.Error("InArgoDir")
	}
}
