module github.com/ocus/ocus-go/examples

go 1.23

require github.com/ocus/ocus-go v0.0.0

replace github.com/ocus/ocus-go => ../../bindings-go-ffi/go
