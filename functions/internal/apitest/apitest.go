// Package apitest holds the test clients' check that every answer of the API is what its OpenAPI
// document says: the end-to-end test and the API tests over the production wiring both run every
// response through it. Only tests import it.
package apitest

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// Validator checks responses against the document a server publishes at /openapi.json.
type Validator struct {
	router routers.Router
	// Calls counts the responses checked.
	Calls int
}

// New loads base + /openapi.json, checks that it is a valid document, and routes by it.
func New(tb testing.TB, base string) *Validator {
	tb.Helper()
	resp, err := http.Get(base + "/openapi.json")
	if err != nil {
		tb.Fatal(err)
	}
	spec, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return FromDocument(tb, base, spec)
}

// FromDocument routes by spec, a document served at base (a deployment serves no /openapi.json
// of its own: the functions carry only their groups' routes, so the tests read the committed one).
func FromDocument(tb testing.TB, base string, spec []byte) *Validator {
	tb.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(spec)
	if err != nil {
		tb.Fatalf("load /openapi.json: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		tb.Fatalf("/openapi.json is not a valid OpenAPI document: %v", err)
	}
	// A relative server URL is relative to where the document came from (OpenAPI 3.1 §4.8.5).
	for _, s := range doc.Servers {
		if strings.HasPrefix(s.URL, "/") {
			s.URL = strings.TrimRight(base+s.URL, "/")
		}
	}
	r, err := legacy.NewRouter(doc)
	if err != nil {
		tb.Fatal(err)
	}
	return &Validator{router: r}
}

// Check fails tb when the request is not an operation of the document, or the response (status,
// headers, body) is not one the operation declares.
func (v *Validator) Check(tb testing.TB, req *http.Request, resp *http.Response, body []byte) {
	tb.Helper()
	// Not operations of the API: a CORS preflight, the document itself.
	if req.Method == http.MethodOptions || req.URL.Path == "/openapi.json" {
		return
	}
	v.Calls++
	route, params, err := v.router.FindRoute(req)
	if err != nil {
		if resp.StatusCode == http.StatusNotFound {
			return // an unknown route, answered as such (the tests that send one check the answer)
		}
		tb.Fatalf("%s %s is not in /openapi.json: %v", req.Method, req.URL.RequestURI(), err)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}},
		Status: resp.StatusCode, Header: resp.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true},
	}
	in.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		tb.Errorf("%s %s → %d does not match /openapi.json: %v\n%.2000s", req.Method, req.URL.RequestURI(), resp.StatusCode, err, body)
	}
}
