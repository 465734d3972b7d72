package knowledge

import (
	"errors"
	"fmt"
	"reflect"
	"time"

	"huiqi/internal/zhtext"
)

// The snapshot's data values: the parsed notice, the lexicon and the
// gazetteer's data, written field by field through reflection, so a field
// added to their types is carried without a change here. Reading them back
// this way costs a fraction of parsing their JSON again (no text to scan,
// no escapes, no UTF-8 to check: strings are pieces of the body).
//
// What is written: strings, booleans, integers, floats, slices, arrays,
// maps, pointers and structs (their exported fields), and time.Time (its
// instant, read back in China time, where the parser makes dates). Any
// other kind is an error when writing, and no snapshot is written.
// Unexported fields are not written: the types' constructors rebuild them.

// errSnapshotKind is a value of a kind the snapshot does not write.
var errSnapshotKind = errors.New("knowledge: snapshot cannot hold this kind of value")

// valueFields caches, per struct type, the indexes of its exported fields.
type valueFields map[reflect.Type][]int

func (vf valueFields) of(t reflect.Type) []int {
	if fs, ok := vf[t]; ok {
		return fs
	}
	var fs []int
	for i := range t.NumField() {
		if t.Field(i).IsExported() {
			fs = append(fs, i)
		}
	}
	vf[t] = fs
	return fs
}

// putValue writes v. A nil slice, map or pointer is written apart from an
// empty one, so what is read back is what was written.
func putValue(e *snapEncoder, fields valueFields, v reflect.Value) error {
	switch v.Kind() {
	case reflect.String:
		e.str(v.String())
	case reflect.Bool:
		e.bool(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.int(v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		e.uint(v.Uint())
	case reflect.Float32, reflect.Float64:
		e.f64(v.Float())
	case reflect.Slice:
		if v.IsNil() {
			e.uint(0)
			return nil
		}
		e.uint(uint64(v.Len()) + 1)
		if v.Type().Elem().Kind() == reflect.String {
			for i := range v.Len() {
				e.str(v.Index(i).String())
			}
			return nil
		}
		for i := range v.Len() {
			if err := putValue(e, fields, v.Index(i)); err != nil {
				return err
			}
		}
	case reflect.Array:
		for i := range v.Len() {
			if err := putValue(e, fields, v.Index(i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		if v.IsNil() {
			e.uint(0)
			return nil
		}
		e.uint(uint64(v.Len()) + 1)
		for it := v.MapRange(); it.Next(); {
			if err := putValue(e, fields, it.Key()); err != nil {
				return err
			}
			if err := putValue(e, fields, it.Value()); err != nil {
				return err
			}
		}
	case reflect.Pointer:
		e.bool(!v.IsNil())
		if !v.IsNil() {
			return putValue(e, fields, v.Elem())
		}
	case reflect.Struct:
		if t, ok := v.Interface().(time.Time); ok {
			e.bool(!t.IsZero())
			if !t.IsZero() {
				e.int(t.UnixNano())
			}
			return nil
		}
		for _, i := range fields.of(v.Type()) {
			if err := putValue(e, fields, v.Field(i)); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("%w: %s", errSnapshotKind, v.Type())
	}
	return nil
}

// getValue reads into v (settable) what putValue wrote for its type.
func getValue(d *snapDecoder, fields valueFields, v reflect.Value) {
	if d.err != nil {
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(d.str())
	case reflect.Bool:
		v.SetBool(d.bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(d.int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		v.SetUint(d.uint())
	case reflect.Float32, reflect.Float64:
		v.SetFloat(d.f64())
	case reflect.Slice:
		n, ok := d.nilOrCount()
		if !ok {
			return
		}
		s := reflect.MakeSlice(v.Type(), n, n)
		if v.Type().Elem() == reflect.TypeFor[string]() {
			xs := s.Interface().([]string)
			for i := range xs {
				xs[i] = d.str()
			}
		} else {
			for i := range n {
				getValue(d, fields, s.Index(i))
			}
		}
		v.Set(s)
	case reflect.Array:
		for i := range v.Len() {
			getValue(d, fields, v.Index(i))
		}
	case reflect.Map:
		n, ok := d.nilOrCount()
		if !ok {
			return
		}
		t := v.Type()
		m := reflect.MakeMapWithSize(t, n)
		k, e := reflect.New(t.Key()).Elem(), reflect.New(t.Elem()).Elem()
		for range n {
			k.SetZero()
			e.SetZero()
			getValue(d, fields, k)
			getValue(d, fields, e)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Pointer:
		if !d.bool() {
			v.SetZero()
			return
		}
		p := reflect.New(v.Type().Elem())
		getValue(d, fields, p.Elem())
		v.Set(p)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			t := time.Time{}
			if d.bool() {
				t = time.Unix(0, d.int()).In(zhtext.China())
			}
			v.Set(reflect.ValueOf(t))
			return
		}
		for _, i := range fields.of(v.Type()) {
			getValue(d, fields, v.Field(i))
		}
	default:
		d.err = fmt.Errorf("%w: %s", errSnapshotKind, v.Type())
	}
}

// nilOrCount reads what putValue writes before a slice's or map's
// elements: 0 for nil (ok false), else the count plus one.
func (d *snapDecoder) nilOrCount() (int, bool) {
	n := d.count()
	if n == 0 || d.err != nil {
		return 0, false
	}
	return n - 1, true
}
