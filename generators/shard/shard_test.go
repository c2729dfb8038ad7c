package shard

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	for in, want := range map[string]Shard{
		"":            {},
		"1/1":         {Index: 1, Count: 1},
		"1/4":         {Index: 1, Count: 4},
		"4/4":         {Index: 4, Count: 4},
		"03/10":       {Index: 3, Count: 10},
		"10000/10000": {Index: 10000, Count: 10000},
	} {
		got, err := Parse(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
		if in != "" && in[0] != '0' {
			require.Equal(t, in, got.String(), "String gives back K/N")
		}
	}
	s, err := Parse("")
	require.NoError(t, err)
	require.True(t, s.All(), "no --shard checks everything")
	require.True(t, s.Has("any-cluster"))
	require.Equal(t, "", s.String())

	for in, why := range map[string]string{
		"3/2":                    `--shard "3/2": K must be between 1 and N`,
		"0/2":                    `--shard "0/2": K must be between 1 and N`,
		"1/0":                    `--shard "1/0": N must be at least 1`,
		"0/0":                    `--shard "0/0": N must be at least 1`,
		"1/10001":                `--shard "1/10001": N must be at most 10000`,
		"2":                      `--shard "2": want K/N`,
		"1/2/3":                  `--shard "1/2/3": want K/N with K and N whole numbers`,
		"-1/2":                   `--shard "-1/2": want K/N with K and N whole numbers`,
		"+1/2":                   `--shard "+1/2": want K/N with K and N whole numbers`,
		" 1/2":                   `--shard " 1/2": want K/N with K and N whole numbers`,
		"a/b":                    `--shard "a/b": want K/N with K and N whole numbers`,
		"/4":                     `--shard "/4": want K/N with K and N whole numbers`,
		"1/":                     `--shard "1/": want K/N with K and N whole numbers`,
		"1.5/4":                  `--shard "1.5/4": want K/N with K and N whole numbers`,
		"1/99999999999999999999": `--shard "1/99999999999999999999": want K/N with K and N whole numbers`,
	} {
		_, err := Parse(in)
		require.ErrorContains(t, err, why, in)
	}
}

func names(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("school-%05d", i+1)
	}
	return out
}

func TestEveryClusterInExactlyOneShard(t *testing.T) {
	fleet := append(names(500), "prod-a", "prod-b", "", "ünïcode", "a/b")
	for _, n := range []int{1, 2, 3, 4, 7, 16, 100, MaxCount} {
		if n == MaxCount {
			fleet = fleet[len(fleet)-20:]
		}
		for _, c := range fleet {
			in := 0
			for k := 1; k <= n; k++ {
				if (Shard{Index: k, Count: n}).Has(c) {
					in++
				}
			}
			require.Equal(t, 1, in, "%q over %d shards", c, n)
		}
	}
}

func shardOf(c string, n int) int {
	for k := 1; k <= n; k++ {
		if (Shard{Index: k, Count: n}).Has(c) {
			return k
		}
	}
	return 0
}

// A cluster's shard depends on its name alone: shuffling the fleet, adding or removing clusters
// moves no other cluster. The pinned assignments make a change of hash a deliberate one.
func TestStable(t *testing.T) {
	fleet := names(300)
	before := map[string]int{}
	for _, c := range fleet {
		before[c] = shardOf(c, 4)
	}
	bigger := append(names(1000), "prod-a", "prod-b")
	rand.Shuffle(len(bigger), func(i, j int) { bigger[i], bigger[j] = bigger[j], bigger[i] })
	for _, c := range bigger {
		if k, ok := before[c]; ok {
			require.Equal(t, k, shardOf(c, 4), c)
		}
	}
	for c, k := range map[string]int{"school-00001": 3, "school-00002": 4, "prod-a": 4, "prod-b": 1} {
		require.Equal(t, k, shardOf(c, 4), "pinned assignment of %s", c)
	}
}

func TestBalanced(t *testing.T) {
	for _, n := range []int{2, 4, 5, 8} {
		counts := make([]int, n)
		for _, c := range names(2000) {
			counts[shardOf(c, n)-1]++
		}
		want := 2000 / n
		for k, got := range counts {
			require.InDelta(t, want, got, float64(want)/5, "shard %d/%d has %d of 2000 clusters", k+1, n, got)
		}
	}
}
