package main

import "context"

func runDiscord(ctx context.Context, e *env, args []string) error {
	return usagef("not implemented yet")
}
