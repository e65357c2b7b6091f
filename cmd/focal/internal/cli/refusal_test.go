package cli

// A refusal is a command line that focal refuses as bad input (or the
// flags that spoil a good one) and a part of the message it must give;
// a refusalAll's message must give every string of want.
type refusal struct {
	name string
	args []string
	want string
}

type refusalAll struct {
	name string
	args []string
	want []string
}
