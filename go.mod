module github.com/focalgo/focal

go 1.26.5

require golang.org/x/sys v0.50.0
