package ffi

import (
	"reflect"
	"testing"
)

// Errors the Go side reports are made by the library: the same display, kinds and code as the
// core's own (Go rebuilt "kind: message" itself before).
func TestErrorsMadeForGoAreTheCoresView(t *testing.T) {
	e := NewError("decode", "unexpected end of JSON input")
	if e.Display != "decode: unexpected end of JSON input" || e.Kind != "decode" || !reflect.DeepEqual(e.Kinds, []string{"decode"}) || e.Code == 0 {
		t.Fatalf("decode: %+v", e)
	}
	e = NewError("timeout", "slow")
	if !reflect.DeepEqual(e.Kinds, []string{"timeout", "connection"}) {
		t.Fatalf("a timeout refines connection in the core's tree: %+v", e.Kinds)
	}
	e = NewError("no_such_kind", "x")
	if e.Kind != "internal" || e.Message != `unknown error kind "no_such_kind": x` {
		t.Fatalf("unknown kind: %+v", e)
	}
}
