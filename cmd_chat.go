package main

import "context"

func runChat(ctx context.Context, e *env, args []string) error { return usagef("not implemented yet") }
