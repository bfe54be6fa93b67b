package httpapi

import (
	"reflect"
	"strings"
	"testing"

	"github.com/jianbao/admin/shared/appraisal"
	"github.com/jianbao/admin/shared/gallery"
)

// TestClosedSetsAreInTheDocument: every closed set names a schema of the whole API's document
// (fillEnums skips the schemas a one-group document lacks, so a renamed schema would go unnoticed).
func TestClosedSetsAreInTheDocument(t *testing.T) {
	schemas := OpenAPI(Deps{}).Components.Schemas.Map()
	for at, values := range closedSets() {
		s, ok := schemas[at[0]]
		if !ok || s.Properties[at[1]] == nil {
			t.Errorf("closed set %s.%s is not in the document", at[0], at[1])
			continue
		}
		if got := len(s.Properties[at[1]].Enum); got != len(values) {
			t.Errorf("%s.%s has %d enum values, want %d", at[0], at[1], got, len(values))
		}
	}
}

// TestLabelsAreComplete: every status, role, verdict, media status and permission has its
// words, and every label names something that exists, so no client shows a bare code.
func TestLabelsAreComplete(t *testing.T) {
	for _, s := range appraisal.Statuses {
		if statusLabels[s].ZH == "" {
			t.Errorf("status %s has no label", s)
		}
	}
	for _, r := range appraisal.Roles {
		if roleLabels[r].ZH == "" {
			t.Errorf("role %s has no label", r.Code())
		}
	}
	for op := range appraisal.DefaultPolicy {
		if operationLabels[op].ZH == "" {
			t.Errorf("operation %s has no label", op)
		}
	}
	for op := range operationLabels {
		if _, ok := appraisal.DefaultPolicy[op]; !ok {
			t.Errorf("label for %s, which is no operation", op)
		}
	}
	wordsForEach(t, "verdict", appraisal.Verdicts, verdictLabels)
	wordsForEach(t, "media status", appraisal.MediaStatuses, mediaStatusLabels)
	wordsForEach(t, "timeline action", appraisal.Actions, eventLabels)
	wordsForEach(t, "review reason", appraisal.ReviewReasons, reviewReasonLabels)
	wordsForEach(t, "login reason", appraisal.LoginReasons, loginReasonLabels)
	for _, s := range appraisal.SettingSpecs {
		if l := settingLabels[s.Key]; l.name.ZH == "" || l.name.EN == "" || l.help.ZH == "" || l.help.EN == "" {
			t.Errorf("setting %s has no name or help in both languages", s.Key)
		}
	}
	if len(settingLabels) != len(appraisal.SettingSpecs) {
		t.Errorf("%d setting words for %d settings", len(settingLabels), len(appraisal.SettingSpecs))
	}
	for _, r := range appraisal.RevokeReasons {
		if revokeReasonLabels[r].ZH == "" || revokeReasonLabels[r].EN == "" {
			t.Errorf("revocation reason %s has no label", r)
		}
	}
}

// wordsForEach wants words in both languages for each value of a closed set, and no words for
// anything outside it.
func wordsForEach[K comparable](t *testing.T, what string, set []K, words map[K]label) {
	t.Helper()
	for _, k := range set {
		if l := words[k]; l.ZH == "" || l.EN == "" {
			t.Errorf("%s %v has no words in both languages", what, k)
		}
	}
	if len(words) != len(set) {
		t.Errorf("%d words for %d of %s", len(words), len(set), what)
	}
}

// TestRevokeReasonEnumsAreTheDomains: every field that carries a published revocation reason
// lists exactly appraisal.RevokeReasons.
func TestRevokeReasonEnumsAreTheDomains(t *testing.T) {
	var want []string
	for _, r := range appraisal.RevokeReasons {
		want = append(want, string(r))
	}
	body, _ := reflect.TypeOf(revokeInput{}).FieldByName("Body")
	for _, f := range []reflect.StructField{
		must(body.Type.FieldByName("PublicReason")), must(reflect.TypeOf(CertificateView{}).FieldByName("PublicReason")),
		must(reflect.TypeOf(verifyBody{}).FieldByName("RevokeReason")),
	} {
		if got := f.Tag.Get("enum"); got != strings.Join(want, ",") {
			t.Errorf("%s enum %q, want %q", f.Name, got, strings.Join(want, ","))
		}
	}
}

func must(f reflect.StructField, ok bool) reflect.StructField {
	if !ok {
		panic("no such field")
	}
	return f
}

// TestListSortIsTheDomains: the sort enum of the lists is appraisal.ListSorts.
func TestListSortIsTheDomains(t *testing.T) {
	f, _ := reflect.TypeOf(ListSort{}).FieldByName("Sort")
	want := strings.Join(appraisal.ListSorts, ",") + ","
	if got := f.Tag.Get("enum"); got != want {
		t.Fatalf("ListSort enum %q, want %q", got, want)
	}
}

// TestUploadTypesAreTheGallerys: the upload's content_type enum is exactly what the gallery
// accepts (gallery.ContentTypes, gallery.Types), so the API never refuses a type the rejection
// message promises, nor promises one it refuses.
func TestUploadTypesAreTheGallerys(t *testing.T) {
	body, _ := reflect.TypeOf(createUploadInput{}).FieldByName("Body")
	f := must(body.Type.FieldByName("ContentType"))
	if got, want := f.Tag.Get("enum"), strings.Join(gallery.ContentTypes, ","); got != want {
		t.Errorf("upload content_type enum %q, want %q", got, want)
	}
	if len(gallery.ContentTypes) != len(gallery.Types) {
		t.Errorf("gallery.ContentTypes %v and gallery.Types differ", gallery.ContentTypes)
	}
	for _, ct := range gallery.ContentTypes {
		if _, ok := gallery.Types[ct]; !ok {
			t.Errorf("%s is listed but not accepted", ct)
		}
	}
}
