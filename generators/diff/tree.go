// Package diff compares the rendered fleet of two trees (the pull request's base branch and its
// head) object by object, and names the clusters a change reaches: the rendered diff and blast
// radius every pull request shows.
package diff

import (
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/hue-platform/hue-gitops/generators/layout"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// Tree is one side of a comparison: a repository tree readable by kustomize.
type Tree struct {
	// Name says where the tree came from: a git revision and its commit, or a folder.
	Name string
	FS   filesys.FileSystem
	Root string
}

// memRoot is where a tree read from git lives inside its in-memory file system.
const memRoot = "/repo"

// Dir is the tree of a folder on disk, such as the working copy.
func Dir(root string) Tree {
	return Tree{Name: root, FS: filesys.MakeFsOnDisk(), Root: root}
}

// DefaultBases are tried in order when no base revision is given: the remote branch a pull
// request targets in CI, then the local branch.
var DefaultBases = []string{"origin/main", "main"}

// FromGit reads the tree of the repository root at a git revision (a branch, tag, commit or
// expression such as HEAD~1), or at its merge base with HEAD when HEAD is not its descendant,
// into memory, without touching the working copy. root may be a folder inside the repository;
// the tree is then that folder at the revision.
func FromGit(root, revision string) (Tree, error) {
	repo, err := git.PlainOpenWithOptions(root, &git.PlainOpenOptions{DetectDotGit: true})
	if err != nil {
		return Tree{}, fmt.Errorf("%s: %w", root, err)
	}
	prefix, err := repoPrefix(repo, root)
	if err != nil {
		return Tree{}, err
	}
	revisions := []string{revision}
	if revision == "" {
		revisions = DefaultBases
	}
	var hash *plumbing.Hash
	for _, r := range revisions {
		if hash, err = repo.ResolveRevision(plumbing.Revision(r)); err == nil {
			revision = r
			break
		}
	}
	if err != nil {
		return Tree{}, fmt.Errorf("base revision %s: %w", strings.Join(revisions, " or "), err)
	}
	commit, err := repo.CommitObject(*hash)
	if err != nil {
		return Tree{}, fmt.Errorf("base revision %s: %w", revision, err)
	}
	name := fmt.Sprintf("%s (%s)", revision, hash.String()[:12])
	// As a pull request's diff: against the merge base with the checked-out commit, so what
	// landed on the base branch since the head branched off does not show up as this change.
	if head, err := repo.Head(); err == nil && head.Hash() != *hash {
		headCommit, err := repo.CommitObject(head.Hash())
		if err != nil {
			return Tree{}, fmt.Errorf("HEAD: %w", err)
		}
		bases, err := commit.MergeBase(headCommit)
		if err != nil {
			return Tree{}, fmt.Errorf("merge base of %s and HEAD: %w", revision, err)
		}
		if len(bases) == 0 {
			return Tree{}, fmt.Errorf("%s and HEAD share no history (a shallow clone? fetch with depth 0)", revision)
		}
		if bases[0].Hash != *hash {
			commit = bases[0]
			name = fmt.Sprintf("%s (merge base %s with HEAD)", revision, commit.Hash.String()[:12])
		}
	}
	tree, err := commit.Tree()
	if err != nil {
		return Tree{}, fmt.Errorf("base revision %s: %w", revision, err)
	}
	if prefix != "" {
		if tree, err = tree.Tree(prefix); err != nil {
			return Tree{}, fmt.Errorf("base revision %s has no %s: %w", revision, prefix, err)
		}
	}
	mem := filesys.MakeFsInMemory()
	err = tree.Files().ForEach(func(f *object.File) error {
		if f.Mode != filemode.Regular && f.Mode != filemode.Executable {
			return nil // symlinks and submodules are not part of a kustomize tree
		}
		r, err := f.Reader()
		if err != nil {
			return err
		}
		defer r.Close()
		b, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		return mem.WriteFile(path.Join(memRoot, f.Name), b)
	})
	if err != nil {
		return Tree{}, fmt.Errorf("base revision %s: %w", revision, err)
	}
	return Tree{Name: name, FS: mem, Root: memRoot}, nil
}

// repoPrefix is root's path inside the repository's work tree, "" at its top.
func repoPrefix(repo *git.Repository, root string) (string, error) {
	wt, err := repo.Worktree()
	if err != nil {
		return "", err
	}
	top, err := filepath.EvalSymlinks(wt.Filesystem.Root())
	if err != nil {
		return "", err
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return "", err
	}
	if abs, err = filepath.EvalSymlinks(abs); err != nil {
		return "", err
	}
	rel, err := filepath.Rel(top, abs)
	if err != nil {
		return "", err
	}
	if rel == "." {
		return "", nil
	}
	return filepath.ToSlash(rel), nil
}

// Overlays lists the tree's clusters: every overlays/<cluster>/ folder with a kustomization,
// as Argo CD finds them. The inventory is not read, so a base whose specs today's code could
// not decode still renders.
func (t Tree) Overlays() (map[string]string, error) {
	dir := filepath.Join(t.Root, layout.Overlays)
	out := map[string]string{}
	if !t.FS.Exists(dir) {
		return out, nil
	}
	entries, err := t.FS.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.Name, err)
	}
	for _, e := range entries {
		overlay := layout.OverlayDir(e)
		if t.FS.Exists(filepath.Join(t.Root, overlay, "kustomization.yaml")) {
			out[e] = overlay
		}
	}
	return out, nil
}

// ArgoCDFiles reads the generated Argo CD definitions, clusters/<fleet>/argocd/**, by path.
func (t Tree) ArgoCDFiles() (map[string][]byte, error) {
	out := map[string][]byte{}
	top := filepath.Join(t.Root, layout.Clusters)
	if !t.FS.Exists(top) {
		return out, nil
	}
	err := t.FS.Walk(top, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, err := filepath.Rel(t.Root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if parts := strings.Split(rel, "/"); len(parts) < 4 || parts[2] != "argocd" {
			return nil
		}
		b, err := t.FS.ReadFile(p)
		if err != nil {
			return err
		}
		out[rel] = b
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.Name, err)
	}
	return out, nil
}
