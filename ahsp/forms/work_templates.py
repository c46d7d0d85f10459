"""Forms of the templates of work (issue 15 §3): save a section or the whole breakdown, insert one, import."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ahsp.importers.project_document import MAX_BYTES
from ahsp.models import Section, WorkTemplate

WHOLE = ""  # the choice "the whole work breakdown" / "at the top level"


def _section_choices(project, first_label) -> list[tuple[str, str]]:
    sections = list(
        Section.objects.filter(project=project)
        .order_by("position", "id")
        .values_list("id", "name", "parent_id")
    )
    children: dict = {}
    for pk, name, parent in sections:
        children.setdefault(parent, []).append((pk, name))
    choices, stack = [(WHOLE, first_label)], [(pk, name, 0) for pk, name in reversed(children.get(None, []))]
    while stack:
        pk, name, depth = stack.pop()
        choices.append((str(pk), f"{'— ' * depth}{name}"))
        stack.extend((child, child_name, depth + 1) for child, child_name in reversed(children.get(pk, [])))
    return choices


def available_templates(user):
    return WorkTemplate.objects.filter(Q(owner=user) | Q(shared=True)).order_by("name", "id")


class SaveTemplateForm(forms.Form):
    section = forms.ChoiceField(label=_("Bagian yang disimpan"), required=False)
    name = forms.CharField(label=_("Nama templat"), max_length=120)
    description = forms.CharField(
        label=_("Keterangan"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    with_volumes = forms.BooleanField(label=_("Sertakan volume (dan parameter rumusnya)"), required=False)
    shared = forms.BooleanField(label=_("Bagikan ke semua pengguna"), required=False)

    def __init__(self, *args, project, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = _section_choices(project, _("Seluruh daftar pekerjaan"))
        if not user.is_staff:
            del self.fields["shared"]


class InsertTemplateForm(forms.Form):
    template = forms.ModelChoiceField(label=_("Templat"), queryset=WorkTemplate.objects.none())
    parent = forms.ChoiceField(label=_("Sisipkan di bawah"), required=False)

    def __init__(self, *args, project, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = available_templates(user)
        self.fields["parent"].choices = _section_choices(project, _("Tingkat teratas"))


class TemplateUploadForm(forms.Form):
    file = forms.FileField(label=_("Berkas templat (.json)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".json"):
            raise forms.ValidationError(_("Berkas harus berupa templat pekerjaan AHSP (.json)."))
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("Berkas terlalu besar (maksimal %(mb)s MB).") % {"mb": MAX_BYTES // (1024 * 1024)}
            )
        return upload
