package main

import "context"

func runRoute(ctx context.Context, e *env, args []string) error { return usagef("not implemented yet") }

func runReport(ctx context.Context, e *env, args []string) error {
	return usagef("not implemented yet")
}

func runTicket(ctx context.Context, e *env, args []string) error {
	return usagef("not implemented yet")
}

func runUnanswered(ctx context.Context, e *env, args []string) error {
	return usagef("not implemented yet")
}

func runLexicon(ctx context.Context, e *env, args []string) error {
	return usagef("not implemented yet")
}
