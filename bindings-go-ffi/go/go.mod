module github.com/ocus/ocus-go

go 1.23
