"""The admin's sign-in form: after the third failure it says how many attempts remain before
django-axes pauses signing in, and for how long.

The count is django-axes' own, kept per username and address whether or not the user exists, so
the warning reads the same for a real and a made-up username and tells nothing about either.
"""

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

WARN_AFTER_FAILURES = 3


def lockout_minutes():
    return max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))


class WarningAuthenticationForm(AdminAuthenticationForm):
    def clean(self):
        try:
            return super().clean()
        except ValidationError as error:
            warning = self.attempts_warning()
            if warning:
                raise ValidationError([*error.error_list, ValidationError(warning)]) from error
            raise

    def attempts_warning(self):
        from axes.handlers.proxy import AxesProxyHandler  # needs the app registry

        username = self.cleaned_data.get("username") or self.data.get("username", "")
        failures = AxesProxyHandler.get_failures(self.request, {"username": username})
        remaining = settings.AXES_FAILURE_LIMIT - failures
        if failures < WARN_AFTER_FAILURES or remaining <= 0:
            return ""
        minutes = lockout_minutes()
        attempts = ngettext("%(count)d attempt remains", "%(count)d attempts remain", remaining) % {
            "count": remaining
        }
        return ngettext(
            "%(attempts)s before signing in with this username from this address is paused "
            "for %(minutes)d minute.",
            "%(attempts)s before signing in with this username from this address is paused "
            "for %(minutes)d minutes.",
            minutes,
        ) % {"attempts": attempts, "minutes": minutes}
