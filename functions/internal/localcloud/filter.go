package localcloud

import "slices"

// filterValues is the API's Filters list read as name → accepted values.
type filterValues map[string][]string

// filters reads a product's Filters by their names and values.
func filters[F any](list []*F, get func(*F) (string, []*string)) filterValues {
	out := filterValues{}
	for _, f := range list {
		name, values := get(f)
		for _, v := range values {
			if v != nil {
				out[name] = append(out[name], *v)
			}
		}
	}
	return out
}

// match reports whether an object with the given attribute values passes every filter; a filter
// the object does not carry fails it.
func (fv filterValues) match(attrs map[string]string) bool {
	for name, want := range fv {
		got, ok := attrs[name]
		if !ok || !slices.Contains(want, got) {
			return false
		}
	}
	return true
}
