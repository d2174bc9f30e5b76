"""Forms of the transcript, share-link and data-subject pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from creditbank.forms import BootstrapMixin

from .services.transcripts import REVOKE_REASON_MAX, SHARE_DAYS_DEFAULT, SHARE_DAYS_MAX


class TranscriptRevokeForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=REVOKE_REASON_MAX)


class ShareForm(BootstrapMixin, forms.Form):
    recipient = forms.CharField(
        label=_("Shared with"),
        max_length=200,
        required=False,
        help_text=_("E.g. the receiving institution's registrar (only you see this)."),
    )
    days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=SHARE_DAYS_MAX,
        initial=SHARE_DAYS_DEFAULT,
    )


class ErasureRecordForm(BootstrapMixin, forms.Form):
    channel = forms.CharField(
        label=_("How it was asked"),
        max_length=100,
        required=False,
        help_text=_("E.g. a letter, in person at the registrar's office, e-mail."),
    )
    details = forms.CharField(
        label=_("What was asked"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ErasureAnswerForm(BootstrapMixin, forms.Form):
    action = forms.ChoiceField(
        choices=[("complete", _("Erase the personal data")), ("refuse", _("Refuse"))],
        widget=forms.HiddenInput,
    )
    answer = forms.CharField(
        label=_("Answer to the learner"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
