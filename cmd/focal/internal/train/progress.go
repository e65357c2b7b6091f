package train

// Progress receives the events of a run, for the command line to show.
// Run calls its methods from the goroutine that called Run, in order:
// Started, any number of Stepped, then Finished, for each loss and seed.
// A nil Progress receives nothing.
type Progress interface {
	// Started announces the training of one loss on one seed.
	Started(RunInfo)
	// Stepped reports a finished optimizer step.
	Stepped(Step)
	// Finished reports the outcome of the run Started announced, the
	// stopping reason included; it is not called for a run that failed.
	Finished(*Result)
}

// RunInfo names one training run of a report: a loss on a seed.
type RunInfo struct {
	// Loss is the loss's label, as the table prints it.
	Loss string
	Seed uint64
	// Index counts the runs of the report from 0; Runs is their number.
	Index, Runs int
	// Total is the step budget (Adam) or the iteration limit (L-BFGS).
	Total int
}

// Step is the state of a run after one optimizer step.
type Step struct {
	// Done steps of Total.
	Done, Total int
	// Loss is the training loss of the step: the batch loss (Adam) or the
	// objective (L-BFGS).
	Loss float64
	// Validated is set when the model was scored on the validation split
	// after this step; ValMetric is then that score.
	Validated bool
	ValMetric float64
}
