// Command huiqi (惠企助手) answers enterprises' questions about the measures of
// 城政办发〔2023〕5号, estimates the awards they may claim, and takes their issue
// reports as tickets routed to the responsible unit.
//
// main stays at the root so that `go run . chat` works; it only hands the
// process's arguments, streams, environment and signals to package cli.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // deadlines and validity are computed in China time on any machine

	"huiqi/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}
