package main

import "context"

func runAward(ctx context.Context, e *env, args []string) error { return usagef("not implemented yet") }
