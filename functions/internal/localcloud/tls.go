package localcloud

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// HTTPS as the cloud serves it: its hosts (the API domain, buckets, website endpoints, Function
// URLs, custom domains) over TLS, with certificates from a certificate authority the cloud makes
// when it starts. A client that trusts CAFile — Go through SSL_CERT_FILE, curl through
// CURL_CA_BUNDLE, a browser told to — talks to it as to the real cloud: the pages, presigned URLs
// and cookies (a __Host- cookie needs an https origin) behave as in production. The API actions
// may stay plain HTTP (TENCENTCLOUD_PROTOCOL=HTTP), as the provider is pointed at them.

type authority struct {
	cert   *x509.Certificate
	key    *ecdsa.PrivateKey
	mu     sync.Mutex
	leaves map[string]*tls.Certificate
}

// CAFile is where the cloud writes its certificate authority (PEM), under DataDir.
func (c *Cloud) CAFile() string { return filepath.Join(c.DataDir, "ca.pem") }

// BundleFile is the system's roots and the cloud's authority in one file: what SSL_CERT_FILE
// names for a Go program that talks to the cloud and to the rest of the network.
func (c *Cloud) BundleFile() string { return filepath.Join(c.DataDir, "ca-bundle.pem") }

// systemRoots are the usual places of the system's root certificates.
var systemRoots = []string{"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem"}

func writeBundle(path, caFile string) error {
	ca, err := os.ReadFile(caFile)
	if err != nil {
		return err
	}
	var bundle []byte
	for _, p := range systemRoots {
		if b, err := os.ReadFile(p); err == nil {
			bundle = append(b, '\n')
			break
		}
	}
	return os.WriteFile(path, append(bundle, ca...), 0o644)
}

func newAuthority(path string) (*authority, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "local Tencent Cloud CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(30 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, _ := x509.ParseCertificate(der)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return nil, err
	}
	return &authority{cert: cert, key: key, leaves: map[string]*tls.Certificate{}}, nil
}

// leaf is the certificate for one host name, made on first use.
func (a *authority) leaf(host string) (*tls.Certificate, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if l := a.leaves[host]; l != nil {
		return l, nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: host},
		DNSNames: []string{host}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(29 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.cert, &key.PublicKey, a.key)
	if err != nil {
		return nil, err
	}
	l := &tls.Certificate{Certificate: [][]byte{der, a.cert.Raw}, PrivateKey: key}
	a.leaves[host] = l
	return l, nil
}

// tlsConfig serves the cloud's own hosts, and only those.
func (c *Cloud) tlsConfig() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: func(h *tls.ClientHelloInfo) (*tls.Certificate, error) {
		name := strings.ToLower(h.ServerName)
		if !c.ownHost(name) {
			return nil, fmt.Errorf("localcloud: %q is not a host of the local cloud", name)
		}
		return c.ca.leaf(name)
	}}
}

// ownHost reports whether host is one the cloud answers: its domain's, the WeCom robot's
// (wecom.go), or a custom domain bound to a function.
func (c *Cloud) ownHost(host string) bool {
	return host == c.Domain || strings.HasSuffix(host, "."+c.Domain) || host == wecomHost || c.customDomain(host) != nil
}
