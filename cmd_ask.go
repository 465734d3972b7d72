package main

import "context"

func runAsk(ctx context.Context, e *env, args []string) error { return usagef("not implemented yet") }
