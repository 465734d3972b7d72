package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"huiqi/knowledge"
	"huiqi/web"
)

// runUser is `huiqi user add --name N --role R [--unit U]` (the password
// from HUIQI_PASSWORD or the first line of standard input, never argv),
// `huiqi user list` and `huiqi user remove --name N`.
func runUser(ctx context.Context, e *env, args []string) error {
	const usage = "usage: huiqi user add --name NAME --role hotline|unit|admin [--unit UNIT] (password on stdin or HUIQI_PASSWORD) | huiqi user list | huiqi user remove --name NAME"
	if len(args) == 0 {
		return usagef("%s", usage)
	}
	fs := newFlagSet("user")
	name := fs.String("name", "", "account name")
	role := fs.String("role", "", "hotline, unit or admin")
	unit := fs.String("unit", "", "the unit, for role unit")
	dbPath := fs.String("db", e.dbPath, "database file")
	pos, err := parseArgs(fs, args, "")
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("%s", usage)
	}
	switch pos[0] {
	case "add":
		if *name == "" || *role == "" {
			return usagef("%s", usage)
		}
		password, err := readPassword(e)
		if err != nil {
			return err
		}
		u := strings.TrimSpace(*unit)
		if u != "" {
			u = knowledge.CanonicalUnit(u)
		}
		acc, closeDB, err := openAccounts(ctx, e, *dbPath)
		if err != nil {
			return err
		}
		defer closeDB()
		user, err := acc.Add(ctx, *name, *role, u, password)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "已创建账号 %s（%s%s）\n", user.Name, acc.Roles().Label(user.Role), serveUnitSuffix(user.Unit))
		return nil
	case "remove":
		if *name == "" {
			return usagef("%s", usage)
		}
		acc, closeDB, err := openAccounts(ctx, e, *dbPath)
		if err != nil {
			return err
		}
		defer closeDB()
		if err := acc.Remove(ctx, *name); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "已删除账号 %s，其登录已失效\n", *name)
		return nil
	case "list":
		acc, closeDB, err := openAccounts(ctx, e, *dbPath)
		if err != nil {
			return err
		}
		defer closeDB()
		us, err := acc.List(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "账号\t角色\t单位\t创建时间")
		for _, u := range us {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Name, u.Role, u.Unit, u.Created.In(e.now().Location()).Format(time.DateTime))
		}
		return tw.Flush()
	}
	return usagef("%s", usage)
}

func serveUnitSuffix(unit string) string {
	if unit == "" {
		return ""
	}
	return "，" + unit
}

// readPassword takes HUIQI_PASSWORD, else the first line of stdin.
func readPassword(e *env) (string, error) {
	if p := e.getenv("HUIQI_PASSWORD"); p != "" {
		return p, nil
	}
	line, err := bufio.NewReader(io.LimitReader(e.stdin, 1024)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", usagef("give the password on standard input or in HUIQI_PASSWORD")
	}
	return line, nil
}

func openAccounts(ctx context.Context, e *env, path string) (*web.Accounts, func(), error) {
	a, err := openDB(ctx, e, path)
	if err != nil {
		return nil, nil, err
	}
	acc, err := a.accounts(ctx)
	if err != nil {
		a.Close()
		return nil, nil, err
	}
	return acc, func() { a.Close() }, nil
}
