package api

import (
	"reflect"
	"strings"
)

// Complete gives every nil pointer to a plain value (string, number, bool) and every nil slice of
// v its zero value, recursively: an SDK model whose simple fields the real API always fills, as
// clients expect. A nil pointer to a struct stays nil: whether a configuration block is present
// is an answer in itself (a function without an image has no ImageConfig), so those the action
// sets itself.
func Complete(v any) {
	complete(reflect.ValueOf(v), 0)
}

func complete(v reflect.Value, depth int) {
	if depth > 8 {
		return
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return
		}
		complete(v.Elem(), depth+1)
	case reflect.Map:
		for _, k := range v.MapKeys() {
			complete(v.MapIndex(k), depth+1) // pointers and slices inside reach their elements
		}
	case reflect.Slice:
		for j := 0; j < v.Len(); j++ {
			complete(v.Index(j), depth+1)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			f, sf := v.Field(i), v.Type().Field(i)
			if !sf.IsExported() || sf.Anonymous && sf.Type.Kind() == reflect.Pointer {
				continue // the SDK's embedded *BaseRequest / *BaseResponse
			}
			switch f.Kind() {
			case reflect.Pointer:
				if f.IsNil() && f.Type().Elem().Kind() != reflect.Struct {
					f.Set(reflect.New(f.Type().Elem()))
				}
				complete(f, depth+1)
			case reflect.Slice:
				if f.IsNil() {
					f.Set(reflect.MakeSlice(f.Type(), 0, 0))
				}
				for j := 0; j < f.Len(); j++ {
					complete(f.Index(j), depth+1)
				}
			case reflect.Struct:
				complete(f, depth+1)
			}
		}
	}
}

// jsonNames are the JSON names of a struct's fields (embedded ones included).
func jsonNames(model any) map[string]bool {
	out := map[string]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return
		}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if f.Anonymous {
				walk(f.Type)
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" {
				name = f.Name
			}
			if name != "-" {
				out[name] = true
			}
		}
	}
	walk(reflect.TypeOf(model))
	return out
}

// CompleteDeep is Complete that also gives nil pointers to structs their zero value: for answers
// whose every configuration block the real API always sends (a CDN domain's).
func CompleteDeep(v any) { completeDeep(reflect.ValueOf(v), 0) }

func completeDeep(v reflect.Value, depth int) {
	if depth > 10 {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			completeDeep(v.Elem(), depth+1)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			f, sf := v.Field(i), v.Type().Field(i)
			if !sf.IsExported() || sf.Anonymous && sf.Type.Kind() == reflect.Pointer {
				continue
			}
			switch f.Kind() {
			case reflect.Pointer:
				if f.IsNil() {
					f.Set(reflect.New(f.Type().Elem()))
				}
				completeDeep(f, depth+1)
			case reflect.Slice:
				if f.IsNil() {
					f.Set(reflect.MakeSlice(f.Type(), 0, 0))
				}
			case reflect.Struct:
				completeDeep(f, depth+1)
			}
		}
	}
}
