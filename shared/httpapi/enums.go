package httpapi

import (
	"fmt"
	"slices"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/jianbao/admin/shared/appraisal"
)

// closedSets are the response fields whose values come from a closed set the domain owns. Their
// enums are filled in from the domain's own lists when the document is built, so a new status or
// role reaches the spec (and the clients generated from it) without anyone editing a tag.
func closedSets() map[[2]string][]string {
	var statuses, roles, actions []string
	for _, s := range appraisal.Statuses {
		statuses = append(statuses, string(s))
	}
	for _, r := range appraisal.Roles {
		roles = append(roles, r.Code())
	}
	for _, a := range appraisal.Actions {
		actions = append(actions, string(a))
	}
	slices.Sort(actions)
	orEmpty := append([]string{""}, statuses...)
	return map[[2]string][]string{
		{"OrderView", "status"}:       statuses,
		{"OrderDetailView", "status"}: statuses,
		{"EventView", "from_status"}:  orEmpty, // empty on the creation event
		{"EventView", "to_status"}:    statuses,
		{"EventView", "action"}:       actions,
		{"UserView", "role_code"}:     roles,
		{"MediaView", "owner_type"}:   {"", "item", "order"},
	}
}

// fillEnums sets the closed sets' enums in the built document (those of its schemas the document
// has: a function serving one group has only its own), and lists every error code on
// Problem.code: the enum (so a generated client can switch on codes) and a table of each code's
// HTTP status and Chinese message, also as the extension x-error-codes for tools.
func fillEnums(o *huma.OpenAPI) {
	schemas := o.Components.Schemas.Map()
	if p := schemas["Problem"]; p != nil && p.Properties["code"] != nil {
		codes := make([]string, 0, len(errorCodes))
		for c := range errorCodes {
			codes = append(codes, c)
		}
		slices.Sort(codes)
		var b strings.Builder
		b.WriteString("A stable machine-readable code to branch on. Every code, its HTTP status and its message (zh-CN; en with Accept-Language: en):\n\n| code | HTTP | 中文 | English |\n|---|---|---|---|\n")
		ext := map[string]any{}
		code := p.Properties["code"]
		code.Enum = nil
		for _, c := range codes {
			m := messages[c]
			fmt.Fprintf(&b, "| `%s` | %d | %s | %s |\n", c, errorCodes[c], m[0], m[1])
			code.Enum = append(code.Enum, c)
			ext[c] = map[string]any{"status": errorCodes[c], "zh": m[0], "en": m[1]}
		}
		code.Description = b.String()
		if code.Extensions == nil {
			code.Extensions = map[string]any{}
		}
		code.Extensions["x-error-codes"] = ext
	}
	for at, values := range closedSets() {
		s, ok := schemas[at[0]]
		if !ok {
			continue
		}
		p := s.Properties[at[1]]
		if p == nil {
			panic("httpapi: closed set " + at[0] + "." + at[1] + ": no such property")
		}
		p.Enum = nil
		for _, v := range values {
			p.Enum = append(p.Enum, v)
		}
	}
}
