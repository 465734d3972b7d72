package cli

import "testing"

func TestStorageOf(t *testing.T) {
	const pg = "postgres://huiqi@db.internal/huiqi"
	for _, tc := range []struct {
		db, local string
		want      storage
		wantErr   bool
	}{
		{db: "x.db", want: storage{file: "x.db"}},
		{db: pg, want: storage{file: "huiqi.db", tickets: pg}},
		{db: pg, local: "a.db", want: storage{file: "a.db", tickets: pg}},
		{db: "postgresql://h/d", local: "a.db", want: storage{file: "a.db", tickets: "postgresql://h/d"}},
		{db: "x.db", local: "a.db", wantErr: true}, // --local-db means nothing beside a file
		{db: pg, local: pg, wantErr: true},
	} {
		got, err := storageOf(tc.db, tc.local, "huiqi.db")
		if (err != nil) != tc.wantErr || !tc.wantErr && got != tc.want {
			t.Errorf("storageOf(%q, %q) = %+v, %v; want %+v, error %v", tc.db, tc.local, got, err, tc.want, tc.wantErr)
		}
	}
}
