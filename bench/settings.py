"""Settings for `make bench` only: the product's settings, plus the ceiling view's URL.

Not a second configuration of the product: every value comes from config/settings.py (and the
environment, as in production); only the URL configuration differs.
"""

from config import settings as _product

globals().update({name: value for name, value in vars(_product).items() if name.isupper()})

ROOT_URLCONF = "bench.urls"
