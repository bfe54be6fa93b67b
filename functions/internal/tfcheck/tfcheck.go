// Package tfcheck validates Terraform files against a provider's schema without the provider: the
// tencentcloud provider cannot be installed on our machines, so `terraform validate` cannot run.
// It checks that every resource and data source type exists, every argument is known and
// settable, every required argument and block is set, and nested blocks (dynamic ones included)
// are right.
package tfcheck

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Block is a provider schema block.
type Block struct {
	Attributes map[string]Attribute `json:"attributes"`
	BlockTypes map[string]BlockType `json:"block_types"`
}

// Attribute is an argument's schema.
type Attribute struct {
	Required bool `json:"required"`
	Optional bool `json:"optional"`
	Computed bool `json:"computed"`
}

// BlockType is a nested block's schema.
type BlockType struct {
	NestingMode string `json:"nesting_mode"`
	MinItems    int    `json:"min_items"`
	MaxItems    int    `json:"max_items"`
	Block       Block  `json:"block"`
}

// Schema is the cut-down `terraform providers schema -json` of one provider.
type Schema struct {
	ProviderVersion string `json:"provider_version"`
	Resources       map[string]struct {
		Block Block `json:"block"`
	} `json:"resource_schemas"`
	DataSources map[string]struct {
		Block Block `json:"block"`
	} `json:"data_source_schemas"`
}

// LoadSchema reads a schema file.
func LoadSchema(path string) (*Schema, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s Schema
	return &s, json.Unmarshal(b, &s)
}

// meta are Terraform's own arguments and blocks, valid in every resource.
var metaArgs = map[string]bool{"count": true, "for_each": true, "depends_on": true, "provider": true}
var metaBlocks = map[string]bool{"lifecycle": true, "provisioner": true, "connection": true}

// Check parses every .tf and .tf.json file under root and returns one message per problem.
// prefix selects the provider's types (tencentcloud_); others must be in otherTypes.
func Check(root string, s *Schema, prefix string, otherTypes map[string]bool) ([]string, error) {
	var problems []string
	parser := hclparse.NewParser()
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			if d != nil && d.IsDir() && d.Name() == ".terraform" {
				return filepath.SkipDir
			}
			return err
		}
		switch {
		case strings.HasSuffix(path, ".tf.json"):
			if _, diags := parser.ParseJSONFile(path); diags.HasErrors() {
				problems = append(problems, diags.Error())
			}
		case strings.HasSuffix(path, ".tf"):
			f, diags := parser.ParseHCLFile(path)
			if diags.HasErrors() {
				problems = append(problems, diags.Error())
				return nil
			}
			body := f.Body.(*hclsyntax.Body)
			for _, b := range body.Blocks {
				if (b.Type != "resource" && b.Type != "data") || len(b.Labels) != 2 {
					continue
				}
				typ, where := b.Labels[0], fmt.Sprintf("%s:%d: %s %q %q", path, b.DefRange().Start.Line, b.Type, b.Labels[0], b.Labels[1])
				if !strings.HasPrefix(typ, prefix) {
					if !otherTypes[typ] {
						problems = append(problems, where+": a type of no provider this check knows")
					}
					continue
				}
				var schema Block
				var ok bool
				if b.Type == "resource" {
					var r struct{ Block Block }
					r.Block, ok = lookup(s.Resources, typ)
					schema = r.Block
				} else {
					schema, ok = lookup(s.DataSources, typ)
				}
				if !ok {
					problems = append(problems, where+": no such type in provider "+s.ProviderVersion)
					continue
				}
				problems = append(problems, checkBody(where, b.Body, schema, true)...)
			}
		}
		return nil
	})
	sort.Strings(problems)
	return problems, err
}

func lookup(m map[string]struct {
	Block Block `json:"block"`
}, typ string) (Block, bool) {
	v, ok := m[typ]
	return v.Block, ok
}

func checkBody(where string, body *hclsyntax.Body, schema Block, top bool) []string {
	var problems []string
	for name, attr := range body.Attributes {
		if top && metaArgs[name] {
			continue
		}
		a, ok := schema.Attributes[name]
		switch {
		case !ok:
			if _, isBlock := schema.BlockTypes[name]; isBlock {
				problems = append(problems, fmt.Sprintf("%s: %s is a block, not an argument (line %d)", where, name, attr.SrcRange.Start.Line))
			} else {
				problems = append(problems, fmt.Sprintf("%s: unknown argument %s (line %d)", where, name, attr.SrcRange.Start.Line))
			}
		case a.Computed && !a.Optional && !a.Required:
			problems = append(problems, fmt.Sprintf("%s: %s is computed by the provider and cannot be set", where, name))
		}
	}
	for name, a := range schema.Attributes {
		if a.Required {
			if _, ok := body.Attributes[name]; !ok {
				problems = append(problems, fmt.Sprintf("%s: required argument %s is missing", where, name))
			}
		}
	}
	counts := map[string]int{}
	for _, blk := range body.Blocks {
		name, inner := blk.Type, blk.Body
		if top && metaBlocks[name] {
			continue
		}
		if name == "dynamic" {
			if len(blk.Labels) != 1 {
				problems = append(problems, where+": a dynamic block needs one label")
				continue
			}
			name = blk.Labels[0]
			inner = nil
			for _, c := range blk.Body.Blocks {
				if c.Type == "content" {
					inner = c.Body
				}
			}
			if inner == nil {
				problems = append(problems, fmt.Sprintf("%s: dynamic %q has no content block", where, name))
				continue
			}
			counts[name] += 2 // at least one element, perhaps more
		} else {
			counts[name]++
		}
		bt, ok := schema.BlockTypes[name]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: unknown block %s (line %d)", where, name, blk.DefRange().Start.Line))
			continue
		}
		problems = append(problems, checkBody(where+" > "+name, inner, bt.Block, false)...)
	}
	for name, bt := range schema.BlockTypes {
		if bt.MinItems > 0 && counts[name] == 0 {
			problems = append(problems, fmt.Sprintf("%s: required block %s is missing", where, name))
		}
		if bt.MaxItems > 0 && counts[name] > bt.MaxItems && counts[name]%2 == 1 {
			problems = append(problems, fmt.Sprintf("%s: block %s appears %d times, at most %d", where, name, counts[name], bt.MaxItems))
		}
	}
	return problems
}
