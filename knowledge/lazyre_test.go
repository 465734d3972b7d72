package knowledge

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestLazyRegexpsCompile compiles every expression the package's sources
// pass to lazyRE, as regexp.MustCompile at start-up did: a bad one must fail
// here, not in the first user's question that reaches it.
func TestLazyRegexpsCompile(t *testing.T) {
	consts := map[string]string{"cnNumeralChars": cnNumeralChars, "moneyNum": moneyNum, "unitNamePattern": unitNamePattern}
	var eval func(e ast.Expr) (string, bool)
	eval = func(e ast.Expr) (string, bool) {
		switch e := e.(type) {
		case *ast.BasicLit:
			s, err := strconv.Unquote(e.Value)
			return s, err == nil
		case *ast.Ident:
			s, ok := consts[e.Name]
			return s, ok
		case *ast.BinaryExpr:
			a, ok1 := eval(e.X)
			b, ok2 := eval(e.Y)
			return a + b, ok1 && ok2 && e.Op == token.ADD
		case *ast.ParenExpr:
			return eval(e.X)
		}
		return "", false
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	n := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(node ast.Node) bool {
			call, ok := node.(*ast.CallExpr)
			if !ok {
				return true
			}
			if id, ok := call.Fun.(*ast.Ident); !ok || id.Name != "lazyRE" || len(call.Args) != 1 {
				return true
			}
			src, ok := eval(call.Args[0])
			if !ok {
				t.Errorf("%s: lazyRE's argument is not a string of literals and known constants (add the constant to this test)", fset.Position(call.Pos()))
				return true
			}
			if _, err := regexp.Compile(src); err != nil {
				t.Errorf("%s: %v", fset.Position(call.Pos()), err)
			}
			n++
			return true
		})
	}
	if n < 50 {
		t.Errorf("found %d lazyRE expressions, want the package's eighty-odd", n)
	}
}
