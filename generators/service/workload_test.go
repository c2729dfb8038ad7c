package service

import (
	"testing"

	"github.com/hue-platform/hue-gitops/generators/platform"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Every replicated workload prefers one pod per node whether or not its cluster turns HA on
// (kube-score's host anti-affinity checks); batch work and node agents do not.
func TestHostAntiAffinity(t *testing.T) {
	cat, err := platform.LoadCatalog("../..")
	require.NoError(t, err)
	kinds := map[string]int{}
	for _, s := range cat.Services {
		objs, err := Objects(s)
		require.NoError(t, err, s.Name)
		for _, o := range objs {
			var tmpl *corev1.PodTemplateSpec
			spread := false
			switch w := o.(type) {
			case *appsv1.Deployment:
				tmpl, spread = &w.Spec.Template, true
			case *appsv1.StatefulSet:
				tmpl, spread = &w.Spec.Template, true
			case *appsv1.DaemonSet:
				tmpl = &w.Spec.Template
			case *batchv1.Job:
				tmpl = &w.Spec.Template
			case *batchv1.CronJob:
				tmpl = &w.Spec.JobTemplate.Spec.Template
			default:
				continue
			}
			kinds[kindOf(o)]++
			a := tmpl.Spec.Affinity
			if !spread {
				assert.True(t, a == nil || a.PodAntiAffinity == nil, "%s %s: no anti-affinity", kindOf(o), s.Name)
				continue
			}
			require.NotNil(t, a, s.Name)
			require.NotNil(t, a.PodAntiAffinity, s.Name)
			assert.Empty(t, a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution, "%s: a one-node cluster must still schedule", s.Name)
			terms := a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution
			require.Len(t, terms, 1, s.Name)
			term := terms[0].PodAffinityTerm
			assert.Equal(t, corev1.LabelHostname, term.TopologyKey, s.Name)
			sel, err := metav1.LabelSelectorAsSelector(term.LabelSelector)
			require.NoError(t, err, s.Name)
			assert.True(t, sel.Matches(labels.Set(tmpl.Labels)), "%s: the term selects the service's own pods", s.Name)
			assert.False(t, sel.Matches(labels.Set{"app": tmpl.Labels["app"], LabelService: s.Name + "-other"}), "%s: only the service's own pods", s.Name)
		}
	}
	assert.Positive(t, kinds["Deployment"])
	assert.Positive(t, kinds["StatefulSet"]+kinds["DaemonSet"]+kinds["CronJob"]+kinds["Job"], "the catalog has non-Deployment workloads")
}
