package main

import "context"

func runMeasure(ctx context.Context, e *env, args []string) error {
	return usagef("not implemented yet")
}

func runUnit(ctx context.Context, e *env, args []string) error { return usagef("not implemented yet") }

func runIngest(ctx context.Context, e *env, args []string) error {
	return usagef("not implemented yet")
}
