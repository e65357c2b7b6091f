module github.com/focalgo/focal/_gen

go 1.26.5

require (
	github.com/mmcloughlin/avo v0.6.0 // indirect
	golang.org/x/mod v0.30.0 // indirect
	golang.org/x/sync v0.18.0 // indirect
	golang.org/x/tools v0.39.0 // indirect
)
