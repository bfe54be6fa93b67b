package scf

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

func readFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestValuesDecoding(t *testing.T) {
	tests := []struct {
		in      string
		want    Values
		wantErr bool
	}{
		{`{"a":"1"}`, Values{"a": {"1"}}, false},
		{`{"tag":["x","y"]}`, Values{"tag": {"x", "y"}}, false},
		{`{"flag":true}`, Values{"flag": {""}}, false},
		{`{"off":false,"n":3}`, Values{"off": {"false"}, "n": {"3"}}, false},
		{`{"gone":null}`, Values{"gone": nil}, false},
		{`null`, nil, false},
		{`{"obj":{"x":1}}`, nil, true},
		{`["not","a","map"]`, nil, true},
	}
	for _, tt := range tests {
		var v Values
		err := json.Unmarshal([]byte(tt.in), &v)
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: err = %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if !tt.wantErr && !reflect.DeepEqual(v, tt.want) {
			t.Errorf("%s: got %#v, want %#v", tt.in, v, tt.want)
		}
	}
}

func TestEventTime(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{`1545205770`, time.Unix(1545205770, 0).UTC(), false},
		{`"1545205770"`, time.Unix(1545205770, 0).UTC(), false},
		{`"2019-02-21T11:49:00Z"`, time.Date(2019, 2, 21, 11, 49, 0, 0, time.UTC), false},
		{`"1970-01-01T00:00:00.000Z"`, time.Unix(0, 0).UTC(), false},
		{`null`, time.Time{}, false},
		{`"yesterday"`, time.Time{}, true},
		{`-5`, time.Time{}, true},
	}
	for _, tt := range tests {
		var et EventTime
		err := json.Unmarshal([]byte(tt.in), &et)
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: err = %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if !tt.wantErr && !et.Equal(tt.want) {
			t.Errorf("%s: got %v, want %v", tt.in, et.Time, tt.want)
		}
	}
}

func TestCOSEventFixture(t *testing.T) {
	var ev COSEvent
	if err := json.Unmarshal(readFixture(t, "cos_event.json"), &ev); err != nil {
		t.Fatal(err)
	}
	if len(ev.Records) != 2 {
		t.Fatalf("got %d records, want 2", len(ev.Records))
	}
	wantKeys := []string{"originals/2026/11/青花瓷 瓶.jpg", "originals/2026/11/42.mp4"}
	for i, r := range ev.Records {
		k, err := r.ObjectKey()
		if err != nil {
			t.Fatal(err)
		}
		if k != wantKeys[i] {
			t.Errorf("record %d key = %q, want %q", i, k, wantKeys[i])
		}
		if r.FullBucket() != "jianbao-media-1250000000" {
			t.Errorf("bucket = %q", r.FullBucket())
		}
	}
	if ev.Records[0].Event.Time.Unix() != 1764100000 || ev.Records[1].Event.RequestID != 179398953 {
		t.Errorf("event meta decoded wrong: %+v / %+v", ev.Records[0].Event, ev.Records[1].Event)
	}
}

func TestCOSObjectKey(t *testing.T) {
	rec := func(appid, bucket, key string) COSRecord {
		var r COSRecord
		r.COS.Bucket = COSBucket{Name: bucket, AppID: appid}
		r.COS.Object.Key = key
		return r
	}
	tests := []struct {
		name    string
		r       COSRecord
		want    string
		wantErr bool
	}{
		{"documented prefix", rec("125", "b", "/125/b/originals/x.jpg"), "originals/x.jpg", false},
		{"bucket name with appid", rec("125", "b-125", "/125/b-125/originals/x.jpg"), "originals/x.jpg", false},
		{"unknown prefix names", rec("", "", "/9/other/originals/x.jpg"), "originals/x.jpg", false},
		{"plus is space, %2B is plus", rec("125", "b", "/125/b/a+b%2Bc.jpg"), "a b+c.jpg", false},
		{"no prefix at all", rec("125", "b", "/125/b"), "", true},
		{"bad escape", rec("125", "b", "/125/b/%zz"), "", true},
		{"empty key", rec("125", "b", "/125/b/"), "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.r.ObjectKey()
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("ObjectKey() = %q, %v; want %q, err %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestTimerEventFixture(t *testing.T) {
	var ev TimerEvent
	if err := json.Unmarshal(readFixture(t, "timer_event.json"), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.TriggerName != "sla-reminder" || ev.Message != "sla" || ev.Time.Hour() != 1 {
		t.Errorf("decoded %+v", ev)
	}
}

// TestEachObject: readable keys are handled, an unreadable record is skipped, and a failed key
// fails the invoke (so the platform retries) after the others were still handled.
func TestEachObject(t *testing.T) {
	ev := COSEvent{Records: []COSRecord{cosRecord("/1250000000/media/originals/a.jpg"), cosRecord("%zz"),
		cosRecord("/1250000000/media/originals/b%20c.jpg"), cosRecord("/1250000000/media/originals/fail.jpg")}}
	var handled []string
	res, err := EachObject(context.Background(), ev, slog.New(slog.DiscardHandler), func(_ context.Context, key string) error {
		handled = append(handled, key)
		if strings.HasSuffix(key, "fail.jpg") {
			return errors.New("boom")
		}
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "originals/fail.jpg: boom") {
		t.Errorf("a failed key must fail the invoke: %v", err)
	}
	if strings.Join(res.Processed, ",") != "originals/a.jpg,originals/b c.jpg" || len(res.Skipped) != 1 || len(handled) != 3 {
		t.Errorf("processed %v, skipped %v, handled %v", res.Processed, res.Skipped, handled)
	}
}

func cosRecord(key string) COSRecord {
	var r COSRecord
	r.COS.Object.Key = key
	return r
}
