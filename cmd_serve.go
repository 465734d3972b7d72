package main

import "context"

func runServe(ctx context.Context, e *env, args []string) error { return usagef("not implemented yet") }

func runUser(ctx context.Context, e *env, args []string) error { return usagef("not implemented yet") }
