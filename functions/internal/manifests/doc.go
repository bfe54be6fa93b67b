// Package manifests holds the tests of the Kubernetes manifests under tke/: every overlay builds
// with kustomize, every object decodes strictly into its k8s.io/api type (an unknown field fails),
// and the deployment policy holds (no latest tags; requests, limits and probes everywhere;
// non-root; read-only root filesystems).
package manifests
