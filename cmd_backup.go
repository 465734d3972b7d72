package main

import "context"

func runBackup(ctx context.Context, e *env, args []string) error {
	return usagef("not implemented yet")
}
