package main

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hue-platform/hue-gitops/generators/api/v1alpha1"
)

func TestParseSizes(t *testing.T) {
	got, err := parseSizes("100, 500,2000")
	require.NoError(t, err)
	require.Equal(t, []int{100, 500, 2000}, got)
	for _, bad := range []string{"", "0", "-5", "10,x", "100001"} {
		_, err := parseSizes(bad)
		require.Error(t, err, bad)
	}
}

func TestSample(t *testing.T) {
	names := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}
	require.Equal(t, []string{"a", "c", "e", "g", "i"}, sample(names, 5))
	require.Equal(t, names, sample(names, 10))
	require.Equal(t, names, sample(names, 50))
	require.Equal(t, []string{"a"}, sample(names, 1))
}

func TestScale(t *testing.T) {
	m := scale(measure{wall: 2 * time.Second, cpu: 3 * time.Second, rss: 7}, 5, 50)
	require.Equal(t, 20*time.Second, m.wall)
	require.Equal(t, 30*time.Second, m.cpu)
	require.Equal(t, int64(7), m.rss, "the peak of one process does not scale")
}

func TestTargets(t *testing.T) {
	b := &bench{
		checkCold: measure{wall: 6 * time.Second, cpu: 10 * time.Second},
		naive:     measure{cpu: 250 * time.Second},
		floor:     measure{wall: 3 * time.Second},
		prWarm:    measure{wall: 2 * time.Second},
		diff:      measure{wall: 29 * time.Second},
		steps: []measure{
			{name: "check (cold)", rss: 900 << 20, hue: true},
			{name: "naive", rss: 3 << 30},
		},
	}
	var got []string
	for _, tg := range b.targets() {
		got = append(got, tg.value+" "+map[bool]string{true: "met", false: "missed"}[tg.met])
	}
	require.Equal(t, []string{"25.0x met", "2.0x met", "2.00 s missed", "29.00 s met", "900 MiB met"}, got)
	require.Equal(t, 0.0, ratio(time.Second, 0))
}

func TestDiffSummary(t *testing.T) {
	out := []byte("base HEAD, head .\ncluster a changed (overlays/a): 1 changed\n3 cluster(s) affected, 3 rendered differently, 12 unchanged, 0 Argo CD file(s) changed\n--- a\n")
	require.Equal(t, "3 cluster(s) affected, 3 rendered differently, 12 unchanged, 0 Argo CD file(s) changed", diffSummary(out))
	require.Empty(t, diffSummary([]byte("nothing")))
}

func TestSetDescription(t *testing.T) {
	spec := `# learner: Learns
apiVersion: platform.hue.dev/v1alpha1
kind: HueService
metadata:
  name: learner
spec:
  description: Learns the user's habits
  workload: Deployment
  ports:
  - {name: http, port: 8080}
`
	got, err := setDescription([]byte(spec), "changed")
	require.NoError(t, err)
	require.Contains(t, string(got), "# learner: Learns\n")
	require.Contains(t, string(got), "description: Learns the user's habits (changed)\n")
	require.Contains(t, string(got), "- {name: http, port: 8080}\n")
	_, err = setDescription([]byte("kind: HueService\nspec: {}\n"), "x")
	require.Error(t, err)
}

func TestPinNextRelease(t *testing.T) {
	raw := []byte(`apiVersion: platform.hue.dev/v1alpha1
kind: HueCluster
metadata:
  name: school-x-0001
spec:
  ring: broad
  ingress: {domain: x-0001.schools.hue.dev}
  destination: {name: school-x-0001}
`)
	replicas := int32(3)
	svc := &v1alpha1.HueService{Spec: v1alpha1.HueServiceSpec{Workload: v1alpha1.Deployment, Image: "registry.hue.dev/hue/learn:0.3", Replicas: &replicas}}
	svc.Name = "learner"
	got, err := pinNextRelease(raw, []*v1alpha1.HueService{svc})
	require.NoError(t, err)
	require.Equal(t, string(raw)+"  overrides:\n    learner: {tag: \"0.4\"}\n", string(got))
	_, err = pinNextRelease(raw, nil)
	require.Error(t, err)
}

func TestRoundTrip(t *testing.T) {
	doc := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n"
	files := [][]byte{[]byte(doc + "---\n" + strings.Replace(doc, "name: a", "name: b", 1)), []byte(doc)}
	n, err := roundTrip(files, 2)
	require.NoError(t, err)
	require.Equal(t, 3, n)
	_, err = roundTrip([][]byte{[]byte("a: [")}, 2)
	require.Error(t, err)
}

func TestSlugAndTail(t *testing.T) {
	require.Equal(t, "check-cache-one-school-pr-warm", slug("check --cache, one-school PR (warm)"))
	require.Equal(t, "...\nc\nd", tail("a\nb\nc\nd\n", 2))
	require.Equal(t, "a", tail("a\n", 2))
}
