package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-go/tfprotov5"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// provider answers Terraform from one provider's schema document.
type provider struct {
	address     string // hashicorp/random
	schema      *tfprotov5.Schema
	resources   map[string]*tfprotov5.Schema
	dataSources map[string]*tfprotov5.Schema
}

// The shape of `terraform providers schema -json`.
type schemaDoc struct {
	ProviderSchemas map[string]struct {
		Provider          jsonSchema            `json:"provider"`
		ResourceSchemas   map[string]jsonSchema `json:"resource_schemas"`
		DataSourceSchemas map[string]jsonSchema `json:"data_source_schemas"`
	} `json:"provider_schemas"`
}

type jsonSchema struct {
	Version int64     `json:"version"`
	Block   jsonBlock `json:"block"`
}

type jsonBlock struct {
	Attributes map[string]struct {
		Type      json.RawMessage `json:"type"`
		Required  bool            `json:"required"`
		Optional  bool            `json:"optional"`
		Computed  bool            `json:"computed"`
		Sensitive bool            `json:"sensitive"`
		WriteOnly bool            `json:"write_only"`
		Deprec    bool            `json:"deprecated"`
	} `json:"attributes"`
	BlockTypes map[string]struct {
		NestingMode string    `json:"nesting_mode"`
		Block       jsonBlock `json:"block"`
		MinItems    int64     `json:"min_items"`
		MaxItems    int64     `json:"max_items"`
	} `json:"block_types"`
}

func newProvider(raw []byte) (*provider, error) {
	var doc schemaDoc
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	if len(doc.ProviderSchemas) != 1 {
		return nil, fmt.Errorf("want one provider in the schema document, have %d", len(doc.ProviderSchemas))
	}
	for addr, ps := range doc.ProviderSchemas {
		p := &provider{
			address:     strings.TrimPrefix(addr, "registry.terraform.io/"),
			resources:   map[string]*tfprotov5.Schema{},
			dataSources: map[string]*tfprotov5.Schema{},
		}
		var err error
		if p.schema, err = ps.Provider.convert(); err != nil {
			return nil, fmt.Errorf("provider: %w", err)
		}
		for name, s := range ps.ResourceSchemas {
			if p.resources[name], err = s.convert(); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
		}
		for name, s := range ps.DataSourceSchemas {
			if p.dataSources[name], err = s.convert(); err != nil {
				return nil, fmt.Errorf("data %s: %w", name, err)
			}
		}
		return p, nil
	}
	panic("unreachable")
}

func (s jsonSchema) convert() (*tfprotov5.Schema, error) {
	b, err := s.Block.convert()
	return &tfprotov5.Schema{Version: s.Version, Block: b}, err
}

var nesting = map[string]tfprotov5.SchemaNestedBlockNestingMode{
	"single": tfprotov5.SchemaNestedBlockNestingModeSingle,
	"list":   tfprotov5.SchemaNestedBlockNestingModeList,
	"set":    tfprotov5.SchemaNestedBlockNestingModeSet,
	"map":    tfprotov5.SchemaNestedBlockNestingModeMap,
	"group":  tfprotov5.SchemaNestedBlockNestingModeGroup,
}

func (b jsonBlock) convert() (*tfprotov5.SchemaBlock, error) {
	out := &tfprotov5.SchemaBlock{}
	for _, name := range sortedKeys(b.Attributes) {
		a := b.Attributes[name]
		typ, err := tftypes.ParseJSONType(a.Type)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out.Attributes = append(out.Attributes, &tfprotov5.SchemaAttribute{Name: name, Type: typ, Required: a.Required,
			Optional: a.Optional, Computed: a.Computed, Sensitive: a.Sensitive, WriteOnly: a.WriteOnly, Deprecated: a.Deprec})
	}
	for _, name := range sortedKeys(b.BlockTypes) {
		nb := b.BlockTypes[name]
		mode, ok := nesting[nb.NestingMode]
		if !ok {
			return nil, fmt.Errorf("%s: nesting mode %q", name, nb.NestingMode)
		}
		inner, err := nb.Block.convert()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out.BlockTypes = append(out.BlockTypes, &tfprotov5.SchemaNestedBlock{TypeName: name, Block: inner, Nesting: mode,
			MinItems: nb.MinItems, MaxItems: nb.MaxItems})
	}
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// attribute finds the schema attribute a value path points at, stepping over list, set and map
// elements; nil when the path ends at a block or is not an attribute.
func attribute(b *tfprotov5.SchemaBlock, path *tftypes.AttributePath) *tfprotov5.SchemaAttribute {
	var attr *tfprotov5.SchemaAttribute
	for _, step := range path.Steps() {
		name, ok := step.(tftypes.AttributeName)
		if !ok {
			continue // an element of a block or of a collection attribute
		}
		if attr != nil {
			return nil // inside an object-typed attribute: not a schema attribute of its own
		}
		next := (*tfprotov5.SchemaBlock)(nil)
		for _, a := range b.Attributes {
			if a.Name == string(name) {
				attr = a
			}
		}
		if attr != nil {
			continue
		}
		for _, nb := range b.BlockTypes {
			if nb.TypeName == string(name) {
				next = nb.Block
			}
		}
		if next == nil {
			return nil
		}
		b = next
	}
	return attr
}

// fill replaces every null computed attribute of v with what with returns, and nulls every
// write-only attribute (Terraform requires them null in plans and state).
func fill(s *tfprotov5.Schema, v tftypes.Value, with func(string, tftypes.Type) tftypes.Value) (tftypes.Value, error) {
	return tftypes.Transform(v, func(path *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		a := attribute(s.Block, path)
		switch {
		case a == nil:
			return v, nil
		case a.WriteOnly:
			return tftypes.NewValue(v.Type(), nil), nil
		case !a.Computed || !v.IsNull():
			return v, nil
		}
		return with(a.Name, v.Type()), nil
	})
}

func unknown(_ string, t tftypes.Type) tftypes.Value {
	return tftypes.NewValue(t, tftypes.UnknownValue)
}

// stub is a known value of the type for a data source's computed attribute: the account of a
// made-up app id, empty collections, zero numbers.
func stub(name string, t tftypes.Type) tftypes.Value {
	switch {
	case t.Is(tftypes.String):
		if strings.Contains(name, "app_id") || strings.Contains(name, "uin") {
			return tftypes.NewValue(t, "1250000000")
		}
		return tftypes.NewValue(t, "stub-"+name)
	case t.Is(tftypes.Number):
		return tftypes.NewValue(t, 1)
	case t.Is(tftypes.Bool):
		return tftypes.NewValue(t, false)
	case t.Is(tftypes.List{}), t.Is(tftypes.Set{}), t.Is(tftypes.Tuple{}):
		return tftypes.NewValue(t, []tftypes.Value{})
	case t.Is(tftypes.Map{}):
		return tftypes.NewValue(t, map[string]tftypes.Value{})
	case t.Is(tftypes.Object{}):
		attrs := map[string]tftypes.Value{}
		for k, at := range t.(tftypes.Object).AttributeTypes {
			attrs[k] = stub(k, at)
		}
		return tftypes.NewValue(t, attrs)
	}
	return tftypes.NewValue(t, nil)
}

func errorDiag(format string, args ...any) []*tfprotov5.Diagnostic {
	return []*tfprotov5.Diagnostic{{Severity: tfprotov5.DiagnosticSeverityError, Summary: fmt.Sprintf(format, args...)}}
}

func dynamic(s *tfprotov5.Schema, v tftypes.Value) (*tfprotov5.DynamicValue, error) {
	dv, err := tfprotov5.NewDynamicValue(s.ValueType(), v)
	return &dv, err
}

var errNoApply = errors.New("this provider only serves schemas and plans: it never changes anything")

func (p *provider) GetMetadata(context.Context, *tfprotov5.GetMetadataRequest) (*tfprotov5.GetMetadataResponse, error) {
	resp := &tfprotov5.GetMetadataResponse{ServerCapabilities: &tfprotov5.ServerCapabilities{GetProviderSchemaOptional: false}}
	for _, name := range sortedKeys(p.resources) {
		resp.Resources = append(resp.Resources, tfprotov5.ResourceMetadata{TypeName: name})
	}
	for _, name := range sortedKeys(p.dataSources) {
		resp.DataSources = append(resp.DataSources, tfprotov5.DataSourceMetadata{TypeName: name})
	}
	return resp, nil
}

func (p *provider) GetProviderSchema(context.Context, *tfprotov5.GetProviderSchemaRequest) (*tfprotov5.GetProviderSchemaResponse, error) {
	return &tfprotov5.GetProviderSchemaResponse{Provider: p.schema, ResourceSchemas: p.resources,
		DataSourceSchemas: p.dataSources, Functions: map[string]*tfprotov5.Function{}}, nil
}

func (p *provider) GetResourceIdentitySchemas(context.Context, *tfprotov5.GetResourceIdentitySchemasRequest) (*tfprotov5.GetResourceIdentitySchemasResponse, error) {
	return &tfprotov5.GetResourceIdentitySchemasResponse{IdentitySchemas: map[string]*tfprotov5.ResourceIdentitySchema{}}, nil
}

func (p *provider) PrepareProviderConfig(_ context.Context, req *tfprotov5.PrepareProviderConfigRequest) (*tfprotov5.PrepareProviderConfigResponse, error) {
	return &tfprotov5.PrepareProviderConfigResponse{PreparedConfig: req.Config}, nil
}

func (p *provider) ConfigureProvider(context.Context, *tfprotov5.ConfigureProviderRequest) (*tfprotov5.ConfigureProviderResponse, error) {
	return &tfprotov5.ConfigureProviderResponse{}, nil
}

func (p *provider) StopProvider(context.Context, *tfprotov5.StopProviderRequest) (*tfprotov5.StopProviderResponse, error) {
	return &tfprotov5.StopProviderResponse{}, nil
}

func (p *provider) ValidateResourceTypeConfig(_ context.Context, req *tfprotov5.ValidateResourceTypeConfigRequest) (*tfprotov5.ValidateResourceTypeConfigResponse, error) {
	s := p.resources[req.TypeName]
	if s == nil {
		return &tfprotov5.ValidateResourceTypeConfigResponse{Diagnostics: errorDiag("unknown resource type %s", req.TypeName)}, nil
	}
	diags, err := unconfigurable(s, req.Config)
	return &tfprotov5.ValidateResourceTypeConfigResponse{Diagnostics: diags}, err
}

// unconfigurable reports computed-only attributes set in the configuration, as the provider's
// SDK does ("Value for unconfigurable attribute"); Terraform itself lets them through.
func unconfigurable(s *tfprotov5.Schema, config *tfprotov5.DynamicValue) ([]*tfprotov5.Diagnostic, error) {
	cfg, err := config.Unmarshal(s.ValueType())
	if err != nil {
		return nil, err
	}
	var diags []*tfprotov5.Diagnostic
	err = tftypes.Walk(cfg, func(path *tftypes.AttributePath, v tftypes.Value) (bool, error) {
		a := attribute(s.Block, path)
		if a != nil && a.Computed && !a.Optional && !v.IsNull() {
			diags = append(diags, &tfprotov5.Diagnostic{Severity: tfprotov5.DiagnosticSeverityError,
				Summary: "Value for unconfigurable attribute", Detail: "Can't configure a value for \"" + a.Name + "\": its value will be decided automatically based on the result of applying this configuration.",
				Attribute: path})
		}
		return true, nil
	})
	return diags, err
}

func (p *provider) UpgradeResourceState(_ context.Context, req *tfprotov5.UpgradeResourceStateRequest) (*tfprotov5.UpgradeResourceStateResponse, error) {
	s := p.resources[req.TypeName]
	if s == nil {
		return &tfprotov5.UpgradeResourceStateResponse{Diagnostics: errorDiag("unknown resource type %s", req.TypeName)}, nil
	}
	v, err := req.RawState.UnmarshalWithOpts(s.ValueType(), tfprotov5.UnmarshalOpts{ValueFromJSONOpts: tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true}})
	if err != nil {
		return &tfprotov5.UpgradeResourceStateResponse{Diagnostics: errorDiag("state of %s: %v", req.TypeName, err)}, nil
	}
	dv, err := dynamic(s, v)
	return &tfprotov5.UpgradeResourceStateResponse{UpgradedState: dv}, err
}

func (p *provider) ReadResource(_ context.Context, req *tfprotov5.ReadResourceRequest) (*tfprotov5.ReadResourceResponse, error) {
	return &tfprotov5.ReadResourceResponse{NewState: req.CurrentState, Private: req.Private}, nil
}

// PlanResourceChange plans a create as the configuration with every unset computed attribute
// unknown; anything else as proposed.
func (p *provider) PlanResourceChange(_ context.Context, req *tfprotov5.PlanResourceChangeRequest) (*tfprotov5.PlanResourceChangeResponse, error) {
	s := p.resources[req.TypeName]
	if s == nil {
		return &tfprotov5.PlanResourceChangeResponse{Diagnostics: errorDiag("unknown resource type %s", req.TypeName)}, nil
	}
	typ := s.ValueType()
	proposed, err := req.ProposedNewState.Unmarshal(typ)
	if err != nil {
		return nil, err
	}
	prior, err := req.PriorState.Unmarshal(typ)
	if err != nil {
		return nil, err
	}
	if proposed.IsNull() || !prior.IsNull() {
		return &tfprotov5.PlanResourceChangeResponse{PlannedState: req.ProposedNewState, PlannedPrivate: req.PriorPrivate}, nil
	}
	planned, err := fill(s, proposed, unknown)
	if err != nil {
		return nil, err
	}
	dv, err := dynamic(s, planned)
	return &tfprotov5.PlanResourceChangeResponse{PlannedState: dv}, err
}

func (p *provider) ApplyResourceChange(context.Context, *tfprotov5.ApplyResourceChangeRequest) (*tfprotov5.ApplyResourceChangeResponse, error) {
	return &tfprotov5.ApplyResourceChangeResponse{Diagnostics: errorDiag("%v", errNoApply)}, nil
}

func (p *provider) ImportResourceState(context.Context, *tfprotov5.ImportResourceStateRequest) (*tfprotov5.ImportResourceStateResponse, error) {
	return &tfprotov5.ImportResourceStateResponse{Diagnostics: errorDiag("%v", errNoApply)}, nil
}

func (p *provider) MoveResourceState(context.Context, *tfprotov5.MoveResourceStateRequest) (*tfprotov5.MoveResourceStateResponse, error) {
	return &tfprotov5.MoveResourceStateResponse{Diagnostics: errorDiag("%v", errNoApply)}, nil
}

func (p *provider) UpgradeResourceIdentity(context.Context, *tfprotov5.UpgradeResourceIdentityRequest) (*tfprotov5.UpgradeResourceIdentityResponse, error) {
	return &tfprotov5.UpgradeResourceIdentityResponse{Diagnostics: errorDiag("resource identities are not served")}, nil
}

func (p *provider) ValidateDataSourceConfig(_ context.Context, req *tfprotov5.ValidateDataSourceConfigRequest) (*tfprotov5.ValidateDataSourceConfigResponse, error) {
	if p.dataSources[req.TypeName] == nil {
		return &tfprotov5.ValidateDataSourceConfigResponse{Diagnostics: errorDiag("unknown data source %s", req.TypeName)}, nil
	}
	return &tfprotov5.ValidateDataSourceConfigResponse{}, nil
}

// ReadDataSource answers with the configuration and stub values for what the account would say.
func (p *provider) ReadDataSource(_ context.Context, req *tfprotov5.ReadDataSourceRequest) (*tfprotov5.ReadDataSourceResponse, error) {
	s := p.dataSources[req.TypeName]
	if s == nil {
		return &tfprotov5.ReadDataSourceResponse{Diagnostics: errorDiag("unknown data source %s", req.TypeName)}, nil
	}
	cfg, err := req.Config.Unmarshal(s.ValueType())
	if err != nil {
		return nil, err
	}
	state, err := fill(s, cfg, stub)
	if err != nil {
		return nil, err
	}
	dv, err := dynamic(s, state)
	return &tfprotov5.ReadDataSourceResponse{State: dv}, err
}

func (p *provider) CallFunction(context.Context, *tfprotov5.CallFunctionRequest) (*tfprotov5.CallFunctionResponse, error) {
	return &tfprotov5.CallFunctionResponse{Error: &tfprotov5.FunctionError{Text: "no functions"}}, nil
}

func (p *provider) GetFunctions(context.Context, *tfprotov5.GetFunctionsRequest) (*tfprotov5.GetFunctionsResponse, error) {
	return &tfprotov5.GetFunctionsResponse{Functions: map[string]*tfprotov5.Function{}}, nil
}

func (p *provider) ValidateEphemeralResourceConfig(context.Context, *tfprotov5.ValidateEphemeralResourceConfigRequest) (*tfprotov5.ValidateEphemeralResourceConfigResponse, error) {
	return &tfprotov5.ValidateEphemeralResourceConfigResponse{Diagnostics: errorDiag("no ephemeral resources")}, nil
}

func (p *provider) OpenEphemeralResource(context.Context, *tfprotov5.OpenEphemeralResourceRequest) (*tfprotov5.OpenEphemeralResourceResponse, error) {
	return &tfprotov5.OpenEphemeralResourceResponse{Diagnostics: errorDiag("no ephemeral resources")}, nil
}

func (p *provider) RenewEphemeralResource(context.Context, *tfprotov5.RenewEphemeralResourceRequest) (*tfprotov5.RenewEphemeralResourceResponse, error) {
	return &tfprotov5.RenewEphemeralResourceResponse{}, nil
}

func (p *provider) CloseEphemeralResource(context.Context, *tfprotov5.CloseEphemeralResourceRequest) (*tfprotov5.CloseEphemeralResourceResponse, error) {
	return &tfprotov5.CloseEphemeralResourceResponse{}, nil
}

func (p *provider) GenerateResourceConfig(context.Context, *tfprotov5.GenerateResourceConfigRequest) (*tfprotov5.GenerateResourceConfigResponse, error) {
	return &tfprotov5.GenerateResourceConfigResponse{Diagnostics: errorDiag("%v", errNoApply)}, nil
}
