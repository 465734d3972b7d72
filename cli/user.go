package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"huiqi/knowledge"
	"huiqi/web"
)

const userUsage = "usage: huiqi user add --name NAME --role ROLE [--unit UNIT] | huiqi user passwd --name NAME | huiqi user list | huiqi user remove --name NAME " +
	"(the password: typed at the prompt on a terminal, else the first line of standard input or HUIQI_PASSWORD — never an argument)"

// runUser manages the staff accounts: `huiqi user add`, `passwd` (a new
// password, which ends every session of the account), `list` and `remove`.
func runUser(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usagef("%s", userUsage)
	}
	fs := newFlagSet("user")
	name := fs.String("name", "", "account name")
	role := fs.String("role", "", "the role, from intake/roles.json: hotline, unit or admin")
	unit := fs.String("unit", "", "the unit, for a role that acts for one unit")
	dbPath := fs.String("db", e.dbPath, "database file")
	pos, err := parseArgs(fs, args, "")
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("%s", userUsage)
	}
	switch pos[0] {
	case "add":
		if *name == "" || *role == "" {
			return usagef("请用 --name 和 --role 指定账号和角色 / --name and --role are required (%s)", userUsage)
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
		if _, ok := acc.Roles().Get(*role); !ok {
			return usagef("角色须为 %s 之一 / role must be one of %s, got %q", acc.Roles().IDs("、"), acc.Roles().IDs(", "), *role)
		}
		password, err := readPassword(e, *name)
		if err != nil {
			return err
		}
		user, err := acc.Add(ctx, *name, *role, u, password)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "已创建账号 %s（%s%s）/ created %s (%s%s)\n", user.Name, acc.Roles().Label(user.Role), serveUnitSuffix(user.Unit),
			user.Name, user.Role, serveUnitSuffix(user.Unit))
		return nil
	case "passwd":
		if *name == "" {
			return usagef("请用 --name 指定账号 / --name is required (%s)", userUsage)
		}
		acc, closeDB, err := openAccounts(ctx, e, *dbPath)
		if err != nil {
			return err
		}
		defer closeDB()
		if !hasUser(ctx, acc, *name) {
			return usagef("没有账号 %q / no user %q", *name, *name)
		}
		password, err := readPassword(e, *name)
		if err != nil {
			return err
		}
		if err := acc.SetPassword(ctx, *name, password); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "已为 %s 设置新密码，其所有登录已退出 / new password set for %s; every session of the account ended\n", *name, *name)
		return nil
	case "remove":
		if *name == "" {
			return usagef("请用 --name 指定账号 / --name is required (%s)", userUsage)
		}
		acc, closeDB, err := openAccounts(ctx, e, *dbPath)
		if err != nil {
			return err
		}
		defer closeDB()
		if err := acc.Remove(ctx, *name); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "已删除账号 %s，其登录已失效 / removed %s and ended its sessions\n", *name, *name)
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
		if len(us) == 0 {
			fmt.Fprintln(e.stdout, "还没有账号 / no accounts yet: huiqi user add --name NAME --role ROLE")
			return nil
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "账号 name\t角色 role\t单位 unit\t创建时间 created")
		for _, u := range us {
			fmt.Fprintf(tw, "%s\t%s %s\t%s\t%s\n", u.Name, acc.Roles().Label(u.Role), u.Role, orDash(u.Unit),
				u.Created.In(e.now().Location()).Format(time.DateTime))
		}
		return tw.Flush()
	}
	return usagef("%s", userUsage)
}

func hasUser(ctx context.Context, acc *web.Accounts, name string) bool {
	us, err := acc.List(ctx)
	if err != nil {
		return true // let the change itself report the failure
	}
	for _, u := range us {
		if u.Name == strings.TrimSpace(name) {
			return true
		}
	}
	return false
}

func serveUnitSuffix(unit string) string {
	if unit == "" {
		return ""
	}
	return "，" + unit
}

// readPassword takes HUIQI_PASSWORD; else, on a terminal, asks twice
// without echo; else reads the first line of standard input (a script
// piping it in).
func readPassword(e *env, name string) (string, error) {
	if p := e.getenv("HUIQI_PASSWORD"); p != "" {
		return p, nil
	}
	if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return promptPassword(e, f, name)
	}
	line, err := bufio.NewReader(io.LimitReader(e.stdin, 1024)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", usagef("请在标准输入或 HUIQI_PASSWORD 中给出密码 / give the password on standard input or in HUIQI_PASSWORD")
	}
	return line, nil
}

// promptPassword asks on the terminal f twice, echo off, and has the two
// agree. The terminal goes raw before the prompt is written, so nothing
// typed after it shows, however soon; Ctrl-C or Ctrl-D gives up.
func promptPassword(e *env, f *os.File, name string) (string, error) {
	fd := int(f.Fd())
	old, err := term.MakeRaw(fd)
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	defer term.Restore(fd, old)
	t := term.NewTerminal(struct {
		io.Reader
		io.Writer
	}{f, e.stderr}, "")
	p, err := t.ReadPassword(fmt.Sprintf("%s 的新密码 / new password for %s: ", name, name))
	if err != nil || p == "" {
		return "", usagef("没有输入密码 / no password given")
	}
	again, err := t.ReadPassword("再输一次 / again: ")
	if err != nil {
		return "", usagef("没有输入密码 / no password given")
	}
	if again != p {
		return "", usagef("两次输入的密码不一致 / the two passwords differ")
	}
	return p, nil
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
