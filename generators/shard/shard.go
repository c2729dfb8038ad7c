// Package shard splits the fleet's clusters across CI runners: `--shard K/N` selects the K-th of
// N disjoint parts, so N runners together check every cluster exactly once.
package shard

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// MaxCount bounds N: far more runners than any CI matrix has means a typo.
const MaxCount = 10000

// Shard is part Index (K, counted from 1) of Count (N). The zero value is the whole fleet.
type Shard struct {
	Index, Count int
}

// Parse reads the --shard value "K/N"; an empty value means no sharding.
func Parse(s string) (Shard, error) {
	if s == "" {
		return Shard{}, nil
	}
	fail := func(why string) (Shard, error) {
		return Shard{}, fmt.Errorf("--shard %q: %s", s, why)
	}
	ks, ns, ok := strings.Cut(s, "/")
	if !ok {
		return fail("want K/N, for example 1/4")
	}
	k, kerr := number(ks)
	n, nerr := number(ns)
	switch {
	case kerr != nil || nerr != nil:
		return fail("want K/N with K and N whole numbers, for example 1/4")
	case n < 1:
		return fail("N must be at least 1")
	case n > MaxCount:
		return fail(fmt.Sprintf("N must be at most %d", MaxCount))
	case k < 1 || k > n:
		return fail("K must be between 1 and N")
	}
	return Shard{Index: k, Count: n}, nil
}

// number accepts digits only: strconv.Atoi would also take a sign.
func number(s string) (int, error) {
	if s == "" || strings.Trim(s, "0123456789") != "" || len(s) > 9 {
		return 0, fmt.Errorf("not a number: %q", s)
	}
	return strconv.Atoi(s)
}

// All reports whether s selects every cluster (no sharding).
func (s Shard) All() bool { return s.Count == 0 }

// Has reports whether the cluster belongs to this shard: the first 8 bytes of the SHA-256 of its
// name, big-endian, mod N equal K-1. The name alone decides, so adding or removing a cluster never
// moves another between shards, and every runner agrees without seeing the fleet. (FNV-1a was
// not used: its low bits, which mod 2^k keeps, mix poorly.)
func (s Shard) Has(cluster string) bool {
	if s.All() {
		return true
	}
	sum := sha256.Sum256([]byte(cluster))
	return binary.BigEndian.Uint64(sum[:8])%uint64(s.Count) == uint64(s.Index-1)
}

// String gives "K/N", or "" for the whole fleet, so Parse reads it back.
func (s Shard) String() string {
	if s.All() {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}
