package web

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"strings"
	"time"

	"huiqi/intake"
	"huiqi/internal/zhtext"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFiles embed.FS

func staticFS() fs.FS { return staticFiles }

// pageFuncs are the templates' functions; roles name the roles.
func pageFuncs(roles *intake.Roles) template.FuncMap {
	return template.FuncMap{
		"join": strings.Join,
		"due":  intake.DueText,
		"short": func(s string, n int) string {
			r := []rune(s)
			if len(r) <= n {
				return s
			}
			return string(r[:n]) + "…"
		},
		"roleLabel": roles.Label,
		"when": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(zhtext.China()).Format("2006-01-02 15:04")
		},
		"statusClass": func(s intake.Status) string {
			switch s {
			case intake.StatusClosed, intake.StatusVisited:
				return "st-done"
			case intake.StatusReturned:
				return "st-back"
			case intake.StatusHandling, intake.StatusSigned:
				return "st-work"
			}
			return "st-new"
		},
		"danger": func(s intake.Status) bool { return s == intake.StatusReturned || s == intake.Extend },
	}
}

// parsePages parses each page together with the layout.
func parsePages(funcs template.FuncMap) (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimPrefix(n, "templates/")
		if base == "layout.html" || base == "parts.html" {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/parts.html", n)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", base, err)
		}
		pages[base] = t
	}
	return pages, nil
}
