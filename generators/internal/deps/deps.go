// Package deps pins the modules the project builds on while the real packages grow.
package deps

import (
	_ "github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	_ "github.com/open-policy-agent/opa/v1/rego"
	_ "github.com/stretchr/testify/require"
	_ "k8s.io/api/apps/v1"
	_ "k8s.io/apimachinery/pkg/runtime"
	_ "k8s.io/component-helpers/scheduling/corev1"
	_ "sigs.k8s.io/kustomize/api/krusty"
	_ "sigs.k8s.io/kustomize/kyaml/fn/framework"
	_ "sigs.k8s.io/yaml"
)
